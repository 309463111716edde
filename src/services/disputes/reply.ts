/**
 * A message on a case's thread. A clerk's reply (workspace or API) reaches the customer by e-mail
 * with a portal link and, the first time, records the first response; a customer's reply (portal)
 * reaches the case owner or the clerks, and puts a case that was waiting on the customer back to
 * open. Either way each invoice of the case gets a short write-back note.
 */
import { eq, inArray } from 'drizzle-orm';
import type { AppContext } from '../../app/context';
import { disputeMessages, disputes, invoices } from '../../db/schema';
import type { OrgScope } from '../../db/scope';
import { statusAfterCustomerReply } from '../../domain/disputes';
import { audit, type Actor } from '../audit';
import { actorUserId, loadCaseCustomer, loadCaseFirm } from '../cases/firm';
import { caseTransaction } from '../cases/transaction';
import { NotFoundError, ValidationError } from '../errors';
import { queueInvoiceNote } from '../writeBack/queue';
import { checkedAttachment, storeAttachment, type AttachmentInput } from './attachments';
import { notifyClerks, sendClerkReply } from './notify';
import { checkedBody, disputeInvoiceIds, invoiceLabel } from './open';
import { disputeNoteText } from './words';

export interface ReplyInput {
  body: string;
  attachment?: AttachmentInput | null;
  /** A clerk's reply that asks the customer for something: the case waits on them. */
  waitOnCustomer?: boolean;
}

export interface ReplyContext {
  actor: Actor;
  source: 'portal' | 'call' | 'clerk' | 'api';
  /** Set for a customer's reply: the case must be this customer's (404 otherwise). */
  customerId?: string;
}

export async function replyToDispute(
  app: AppContext,
  scope: OrgScope,
  disputeId: string,
  input: ReplyInput,
  ctx: ReplyContext,
): Promise<{ messageId: string; emailId: string | null; status: string }> {
  const fromCustomer = ctx.actor.type === 'customer';
  if (fromCustomer && !ctx.customerId)
    throw new ValidationError('a customer reply needs the customer', 'customerId');
  const found = await scope.findById(disputes, disputeId);
  if (!found || (ctx.customerId !== undefined && found.customerId !== ctx.customerId))
    throw new NotFoundError('dispute');
  const firm = await loadCaseFirm(app, scope);
  const body = checkedBody(input.body, 'body');
  const file = checkedAttachment(input.attachment, firm.policies.disputes.maxAttachmentBytes);
  const customer = await loadCaseCustomer(scope, found.customerId);
  const invoiceIds = await disputeInvoiceIds(scope, found.id);

  return caseTransaction(app, scope, async (txApp, tx) => {
    const now = app.now();
    // messages take the database's clock (created_at default): a thread reads in the order written
    const [msg] = await tx
      .insert(disputeMessages, {
        disputeId: found.id,
        author: fromCustomer ? 'customer' : 'clerk',
        userId: actorUserId(ctx.actor),
        body,
      })
      .returning({ id: disputeMessages.id });
    if (file) await storeAttachment(tx, { disputeId: found.id, messageId: msg!.id, file });
    const [cur] = await tx.db
      .select()
      .from(disputes)
      .where(tx.where(disputes, eq(disputes.id, found.id)))
      .for('update');
    const status = fromCustomer
      ? statusAfterCustomerReply(cur!.status)
      : input.waitOnCustomer && cur!.status === 'open'
        ? 'waiting_on_customer'
        : cur!.status;
    await tx.update(
      disputes,
      {
        status,
        firstResponseAt: fromCustomer ? cur!.firstResponseAt : (cur!.firstResponseAt ?? now),
        updatedAt: now,
      },
      eq(disputes.id, found.id),
    );
    const d = {
      ...cur!,
      status,
      firstResponseAt: fromCustomer ? cur!.firstResponseAt : (cur!.firstResponseAt ?? now),
    };
    await audit(
      tx,
      ctx.actor,
      fromCustomer ? 'dispute.customer_replied' : 'dispute.replied',
      {
        type: 'dispute',
        id: d.id,
      },
      { messageId: msg!.id, status, attachment: file ? file.filename : null },
    );
    const note = disputeNoteText(d, { event: 'message', author: fromCustomer ? 'customer' : 'clerk' });
    for (const invoiceId of invoiceIds)
      await queueInvoiceNote(txApp, tx, {
        invoiceId,
        text: note,
        idempotencyKey: `dispute:${d.id}:${invoiceId}:message:${msg!.id}`,
      });
    let emailId: string | null = null;
    if (fromCustomer) {
      const labels = invoiceIds.length
        ? (await tx.select(invoices, inArray(invoices.id, invoiceIds))).map((i) => invoiceLabel(i.number))
        : [];
      await notifyClerks(txApp, tx, firm.org, d, {
        event: 'customer_reply',
        customerName: customer.name,
        body,
        messageId: msg!.id,
        invoiceLabels: labels,
      });
    } else {
      emailId = await sendClerkReply(txApp, tx, firm.org, d, {
        messageId: msg!.id,
        body,
        attachmentName: file?.filename ?? null,
        createdByUserId: actorUserId(ctx.actor),
      });
      if (emailId) await tx.update(disputeMessages, { emailId }, eq(disputeMessages.id, msg!.id));
    }
    return { messageId: msg!.id, emailId, status };
  });
}
