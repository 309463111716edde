/**
 * Open a dispute (on invoices) or a general request, from the portal, a call, a clerk or the API.
 * Everything is checked before anything is written; then, in one transaction: the case with its
 * firm-unique reference and first-response deadline, the opening message and file, the audit
 * entry, a write-back note per invoice, the clerks' notification and the customer's
 * acknowledgement.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { AppContext } from '../../app/context';
import { queryRows } from '../../db/client';
import { disputeInvoices, disputeMessages, disputes, invoices, organizations } from '../../db/schema';
import { isUuid, type OrgScope } from '../../db/scope';
import { firstResponseDue } from '../../domain/disputes';
import { audit, type Actor } from '../audit';
import { actorUserId, caseRecipient, loadCaseCustomer, loadCaseFirm, ownContactId } from '../cases/firm';
import { caseTransaction } from '../cases/transaction';
import { ValidationError } from '../errors';
import { queueInvoiceNote } from '../writeBack/queue';
import { checkedAttachment, storeAttachment, type AttachmentInput } from './attachments';
import { acknowledge, notifyClerks } from './notify';
import { categoriesFor, disputeNoteText } from './words';

export type DisputeRow = typeof disputes.$inferSelect;

export interface OpenDisputeInput {
  customerId: string;
  kind: 'dispute' | 'request';
  category: string;
  invoiceIds: string[];
  message: string;
  replyEmail?: string | null;
  contactId?: string | null;
  attachment?: AttachmentInput | null;
}

export const MESSAGE_MAX = 5000;
const emailSchema = z.string().trim().toLowerCase().email().max(254);

/** A thread message: trimmed, not empty, bounded. */
export function checkedBody(body: unknown, field = 'message'): string {
  const text = typeof body === 'string' ? body.replace(/\r\n/g, '\n').trim() : '';
  if (!text) throw new ValidationError('write a message', field);
  if (text.length > MESSAGE_MAX) throw new ValidationError(`at most ${MESSAGE_MAX} characters`, field);
  return text;
}

export const invoiceLabel = (n: string | null) => (n ? `invoice #${n}` : 'an invoice without number');

export async function openDispute(
  app: AppContext,
  scope: OrgScope,
  input: OpenDisputeInput,
  ctx: { actor: Actor; source: 'portal' | 'call' | 'clerk' | 'api' },
): Promise<DisputeRow> {
  const firm = await loadCaseFirm(app, scope);
  const customer = await loadCaseCustomer(scope, input.customerId);
  if (input.kind !== 'dispute' && input.kind !== 'request')
    throw new ValidationError('must be dispute or request', 'kind');
  const categories = categoriesFor(input.kind);
  if (!categories.includes(input.category))
    throw new ValidationError(`must be one of ${categories.join(', ')}`, 'category');
  const ids = [...new Set(input.invoiceIds ?? [])];
  if (input.kind === 'dispute' && ids.length === 0)
    throw new ValidationError('choose the invoices the dispute is about', 'invoiceIds');
  const found =
    ids.length === 0 || ids.some((id) => !isUuid(id))
      ? []
      : await scope.db
          .select({ id: invoices.id, number: invoices.number, status: invoices.status })
          .from(invoices)
          .where(scope.where(invoices, inArray(invoices.id, ids), eq(invoices.customerId, customer.id)));
  if (found.length !== ids.length)
    throw new ValidationError('one of the chosen invoices was not found', 'invoiceIds');
  const withdrawn = found.find((i) => i.status === 'voided' || i.status === 'deleted');
  if (withdrawn) throw new ValidationError(`${invoiceLabel(withdrawn.number)} was cancelled`, 'invoiceIds');
  const body = checkedBody(input.message);
  let replyEmail: string | null = null;
  if (input.replyEmail?.trim()) {
    const parsed = emailSchema.safeParse(input.replyEmail);
    if (!parsed.success) throw new ValidationError('must be an e-mail address', 'replyEmail');
    replyEmail = parsed.data;
  }
  const file = checkedAttachment(input.attachment, firm.policies.disputes.maxAttachmentBytes);
  const contactId = await ownContactId(scope, customer.id, input.contactId);
  const recipient = await caseRecipient(scope, customer, { contactId });
  const labels = found.map((i) => invoiceLabel(i.number));

  return caseTransaction(app, scope, async (txApp, tx) => {
    // references are numbered per firm: openings of one firm take turns here
    await tx.db.execute(sql`select id from ${organizations} where id = ${tx.organizationId} for update`);
    const [{ next }] = (await queryRows<{ next: number }>(
      tx.db,
      sql`select coalesce(max(substring(reference from 3)::int), 1000) + 1 as next
            from disputes where organization_id = ${tx.organizationId} and reference ~ '^D-[0-9]+$'`,
    )) as [{ next: number }];
    const now = app.now();
    const fromFirm = ctx.source !== 'portal';
    const [inserted] = await tx
      .insert(disputes, {
        customerId: customer.id,
        contactId: contactId ?? recipient?.contactId ?? null,
        reference: `D-${next}`,
        kind: input.kind,
        category: input.category,
        status: 'open',
        source: ctx.source,
        replyEmail: replyEmail ?? recipient?.email ?? null,
        firstResponseDueAt: firstResponseDue(
          now,
          firm.policies.disputes,
          firm.org.timezone,
          firm.org.country,
        ),
        // a case the firm records itself (a call, a clerk) has had its first human response
        firstResponseAt: fromFirm ? now : null,
        createdAt: now,
        updatedAt: now,
      })
      .returning({ id: disputes.id });
    const d = (await tx.findById(disputes, inserted!.id))!;
    if (found.length)
      await tx.db
        .insert(disputeInvoices)
        .values(found.map((i) => ({ disputeId: d.id, invoiceId: i.id, organizationId: tx.organizationId })));
    const [msg] = await tx
      .insert(disputeMessages, {
        disputeId: d.id,
        author: fromFirm ? 'clerk' : 'customer',
        userId: actorUserId(ctx.actor),
        body,
      })
      .returning({ id: disputeMessages.id });
    if (file) await storeAttachment(tx, { disputeId: d.id, messageId: msg!.id, file });
    await audit(
      tx,
      ctx.actor,
      'dispute.opened',
      { type: 'dispute', id: d.id },
      {
        reference: d.reference,
        kind: d.kind,
        category: d.category,
        invoiceIds: found.map((i) => i.id),
        source: ctx.source,
        attachment: file ? { filename: file.filename, size: file.content.length } : null,
      },
    );
    const note = disputeNoteText(d, { event: 'opened', category: d.category, source: ctx.source });
    for (const inv of found)
      await queueInvoiceNote(txApp, tx, {
        invoiceId: inv.id,
        text: note,
        idempotencyKey: `dispute:${d.id}:${inv.id}:opened`,
      });
    if (!fromFirm)
      await notifyClerks(txApp, tx, firm.org, d, {
        event: 'opened',
        customerName: customer.name,
        body,
        messageId: msg!.id,
        invoiceLabels: labels,
      });
    if (d.replyEmail)
      await acknowledge(txApp, tx, firm.org, d, {
        to: d.replyEmail,
        contactName: replyEmail ? null : (recipient?.name ?? null),
        contactId: d.contactId,
        invoiceLabels: labels,
        body,
      });
    return d;
  });
}

/** The invoice ids of a case (for callers that list them). */
export async function disputeInvoiceIds(scope: OrgScope, disputeId: string): Promise<string[]> {
  const rows = await scope.db
    .select({ invoiceId: disputeInvoices.invoiceId })
    .from(disputeInvoices)
    .where(
      and(eq(disputeInvoices.organizationId, scope.organizationId), eq(disputeInvoices.disputeId, disputeId)),
    );
  return rows.map((r) => r.invoiceId);
}
