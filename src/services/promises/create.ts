/**
 * Record a promise to pay (from the portal, a call, a clerk or the API). Bad input is refused
 * with the field and a clear message before anything is written; a valid promise is recorded in
 * one transaction with its audit entry, the customer's confirmation e-mail and one write-back
 * note per invoice, each keyed so that a retry does nothing twice.
 */
import { and, eq, inArray } from 'drizzle-orm';
import type { AppContext } from '../../app/context';
import { customers, invoices, promiseInvoices, promises, tasks } from '../../db/schema';
import { isUuid, type OrgScope } from '../../db/scope';
import { parseMoney } from '../../domain/money';
import { checkPromise, type PromisableInvoice } from '../../domain/promises';
import { audit, type Actor } from '../audit';
import { actorUserId, caseRecipient, loadCaseCustomer, loadCaseFirm, ownContactId } from '../cases/firm';
import { caseLink, emailRecorded, renderFirmTemplate } from '../cases/mail';
import { caseTransaction } from '../cases/transaction';
import { queueEmail } from '../email';
import { ValidationError } from '../errors';
import { queueInvoiceNote } from '../writeBack/queue';
import { promiseNoteText } from './notes';

export type PromiseRow = typeof promises.$inferSelect;
export type CaseSourceInput = 'portal' | 'call' | 'clerk' | 'api';

export interface CreatePromiseInput {
  customerId: string;
  invoiceIds: string[];
  amount: string;
  promisedDate: string;
  note?: string | null;
  contactId?: string | null;
  taskId?: string | null;
}

const NOTE_MAX = 1000;

export async function createPromise(
  app: AppContext,
  scope: OrgScope,
  input: CreatePromiseInput,
  ctx: { actor: Actor; source: CaseSourceInput },
): Promise<PromiseRow> {
  const firm = await loadCaseFirm(app, scope);
  const customer = await loadCaseCustomer(scope, input.customerId);
  const ids = [...new Set((input.invoiceIds ?? []).filter((id) => typeof id === 'string'))];
  const known: PromisableInvoice[] = ids.some((id) => !isUuid(id))
    ? []
    : ids.length === 0
      ? []
      : await scope.db
          .select({
            id: invoices.id,
            customerId: invoices.customerId,
            number: invoices.number,
            status: invoices.status,
            balance: invoices.balance,
            currency: invoices.currency,
          })
          .from(invoices)
          .where(scope.where(invoices, inArray(invoices.id, ids)));
  const check = checkPromise(
    { invoiceIds: ids, amount: String(input.amount ?? ''), promisedDate: String(input.promisedDate ?? '') },
    known,
    { customerId: customer.id, today: firm.today, maxDays: firm.policies.promises.maxDays },
  );
  if (!check.ok) throw new ValidationError(check.message, check.field);
  const note = input.note?.trim() || null;
  if (note && note.length > NOTE_MAX) throw new ValidationError(`at most ${NOTE_MAX} characters`, 'note');
  if (input.taskId && !(isUuid(input.taskId) && (await scope.findById(tasks, input.taskId))))
    throw new ValidationError('no such task', 'taskId');
  const contactId = await ownContactId(scope, customer.id, input.contactId);
  const promisedDate = String(input.promisedDate).trim();
  const graceDays = firm.policies.promises.graceDays;

  const { promise, created } = await caseTransaction(app, scope, async (txApp, tx) => {
    // one promise decision per customer at a time: a double-submitted form waits here
    await tx.db
      .select({ id: customers.id })
      .from(customers)
      .where(tx.where(customers, eq(customers.id, customer.id)))
      .for('update');
    const active = await activePromisesOn(
      tx,
      check.invoices.map((i) => i.id),
    );
    const same = active.find(
      (p) =>
        parseMoney(p.amount) === parseMoney(check.amount) &&
        p.promisedDate === promisedDate &&
        p.invoiceIds.length === check.invoices.length &&
        check.invoices.every((i) => p.invoiceIds.includes(i.id)),
    );
    // the same promise again (a retried request): the one already recorded
    if (same) return { promise: (await tx.findById(promises, same.id))!, created: false };

    const now = app.now();
    // a new promise on an invoice replaces the promise that covered it
    for (const old of active) {
      await tx.update(
        promises,
        { status: 'cancelled', resolvedAt: now, updatedAt: now },
        eq(promises.id, old.id),
        eq(promises.status, 'active'),
      );
      await audit(tx, ctx.actor, 'promise.replaced', { type: 'promise', id: old.id });
    }
    const [inserted] = await tx
      .insert(promises, {
        customerId: customer.id,
        contactId,
        amount: check.amount,
        currency: check.currency,
        promisedDate,
        graceDays,
        source: ctx.source,
        note,
        createdByUserId: actorUserId(ctx.actor),
        taskId: input.taskId ?? null,
        createdAt: now,
        updatedAt: now,
      })
      .returning({ id: promises.id });
    const row = await tx.findById(promises, inserted!.id);
    await tx.db.insert(promiseInvoices).values(
      check.invoices.map((i) => ({
        promiseId: row!.id,
        invoiceId: i.id,
        organizationId: tx.organizationId,
        balanceAtPromise: i.balance,
      })),
    );
    await audit(
      tx,
      ctx.actor,
      'promise.created',
      { type: 'promise', id: row!.id },
      {
        amount: check.amount,
        currency: check.currency,
        promisedDate,
        invoiceIds: check.invoices.map((i) => i.id),
        source: ctx.source,
      },
    );
    const text = promiseNoteText('made', {
      amount: check.amount,
      currency: check.currency,
      promisedDate,
      source: ctx.source,
    });
    for (const inv of check.invoices)
      await queueInvoiceNote(txApp, tx, {
        invoiceId: inv.id,
        text,
        idempotencyKey: `promise:${row!.id}:${inv.id}:made`,
      });
    await queueConfirmation(txApp, tx, firm, customer, row!, check.invoices, contactId);
    return { promise: row!, created: true };
  });
  if (created)
    app.logger
      .child({ module: 'promises' })
      .info(
        { organizationId: scope.organizationId, promiseId: promise.id, source: ctx.source },
        'promise recorded',
      );
  return promise;
}

/** Active promises of the firm that cover any of these invoices, with all their invoice ids. */
export async function activePromisesOn(
  scope: OrgScope,
  invoiceIds: string[],
): Promise<{ id: string; amount: string; promisedDate: string; invoiceIds: string[] }[]> {
  if (invoiceIds.length === 0) return [];
  const hits = await scope.db
    .selectDistinct({ id: promises.id, amount: promises.amount, promisedDate: promises.promisedDate })
    .from(promises)
    .innerJoin(promiseInvoices, eq(promiseInvoices.promiseId, promises.id))
    .where(
      and(
        scope.where(promises, eq(promises.status, 'active')),
        eq(promiseInvoices.organizationId, scope.organizationId),
        inArray(promiseInvoices.invoiceId, invoiceIds),
      ),
    );
  if (hits.length === 0) return [];
  const links = await scope.db
    .select({ promiseId: promiseInvoices.promiseId, invoiceId: promiseInvoices.invoiceId })
    .from(promiseInvoices)
    .where(
      and(
        eq(promiseInvoices.organizationId, scope.organizationId),
        inArray(
          promiseInvoices.promiseId,
          hits.map((h) => h.id),
        ),
      ),
    );
  return hits.map((h) => ({
    id: h.id,
    amount: h.amount,
    promisedDate: h.promisedDate,
    invoiceIds: links.filter((l) => l.promiseId === h.id).map((l) => l.invoiceId),
  }));
}

async function queueConfirmation(
  app: AppContext,
  scope: OrgScope,
  firm: Awaited<ReturnType<typeof loadCaseFirm>>,
  customer: Awaited<ReturnType<typeof loadCaseCustomer>>,
  promise: PromiseRow,
  chosen: PromisableInvoice[],
  contactId: string | null,
): Promise<void> {
  const key = `promise-confirmation:${promise.id}`;
  if (await emailRecorded(app, key)) return;
  const to = await caseRecipient(scope, customer, { contactId });
  if (!to) return;
  const rows = await scope.db
    .select({
      number: invoices.number,
      dueDate: invoices.dueDate,
      balance: invoices.balance,
      currency: invoices.currency,
    })
    .from(invoices)
    .where(
      scope.where(
        invoices,
        inArray(
          invoices.id,
          chosen.map((i) => i.id),
        ),
      ),
    );
  const portalUrl = await caseLink(app, scope, customer.id, to.contactId, promise.createdByUserId);
  const rendered = await renderFirmTemplate(app, 'promise-confirmation', {
    org: firm.org,
    contactName: to.name,
    customerName: customer.name,
    invoices: rows,
    asOf: firm.today,
    portalUrl,
    promise: { date: promise.promisedDate, amount: promise.amount, currency: promise.currency },
  });
  await queueEmail(app, {
    organizationId: scope.organizationId,
    kind: 'promise.confirmation',
    idempotencyKey: key,
    to: to.email,
    replyTo: firm.org.branding.replyTo ?? null,
    subject: rendered.subject,
    text: rendered.text,
    html: rendered.html,
  });
}
