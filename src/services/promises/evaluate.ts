/**
 * Settle a firm's active promises against the invoices as last synced: kept as soon as paid,
 * partly kept or broken the day after the grace period. Each settlement claims its promise with
 * a conditional update (`status = 'active'`), so two evaluations never settle one promise twice;
 * its notes, call task and e-mail are keyed by the promise as well.
 */
import { and, eq, gt, inArray, notInArray, sql } from 'drizzle-orm';
import type { AppContext } from '../../app/context';
import { queryRows } from '../../db/client';
import { creditNotes, promises, tasks } from '../../db/schema';
import type { OrgScope } from '../../db/scope';
import { isLocalDate } from '../../domain/calendar';
import { displayMoney } from '../../email';
import { formatMoney, parseMoney } from '../../domain/money';
import { settlePromise, type PromiseOutcome } from '../../domain/promises';
import { getLogger } from '../../logging/logger';
import { audit, SYSTEM } from '../audit';
import { caseRecipient, loadCaseFirm, type CaseFirm } from '../cases/firm';
import { caseLink, emailRecorded, renderFirmTemplate } from '../cases/mail';
import { caseTransaction } from '../cases/transaction';
import { queueEmail } from '../email';
import { ValidationError } from '../errors';
import { queueInvoiceNote } from '../writeBack/queue';
import { promiseNoteText, SOURCE_WORDS } from './notes';

export const PROMISES_EVALUATE_JOB = 'promises.evaluate';
const log = getLogger('promises');

interface Row {
  promiseId: string;
  customerId: string;
  customerName: string;
  customerEmail: string | null;
  contactId: string | null;
  amount: string;
  currency: string;
  promisedDate: string;
  graceDays: number;
  source: string;
  createdAt: string;
  invoiceId: string;
  connectionId: string;
  externalId: string;
  number: string | null;
  dueDate: string;
  balanceAtPromise: string;
  balance: string;
  status: string;
}

export interface EvaluationSummary {
  today: string;
  evaluated: number;
  kept: number;
  partiallyKept: number;
  broken: number;
  cancelled: number;
}

export async function evaluatePromises(
  app: AppContext,
  scope: OrgScope,
  opts: { today?: string } = {},
): Promise<EvaluationSummary> {
  const firm = await loadCaseFirm(app, scope);
  if (opts.today !== undefined && !isLocalDate(opts.today))
    throw new ValidationError('must be a date YYYY-MM-DD', 'today');
  const today = opts.today ?? firm.today;
  const rows = await queryRows<Row>(
    scope.db,
    sql`select p.id as "promiseId", p.customer_id as "customerId", c.name as "customerName",
               c.email as "customerEmail", p.contact_id as "contactId", p.amount::text as amount,
               p.currency, p.promised_date::text as "promisedDate", p.grace_days as "graceDays", p.source,
               to_char(p.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as "createdAt",
               i.id as "invoiceId", i.connection_id as "connectionId", i.external_id as "externalId",
               i.number, i.due_date::text as "dueDate", pi.balance_at_promise::text as "balanceAtPromise",
               i.balance::text as balance, i.status
          from promises p
          join customers c on c.id = p.customer_id and c.organization_id = p.organization_id
          join promise_invoices pi on pi.promise_id = p.id and pi.organization_id = p.organization_id
          join invoices i on i.id = pi.invoice_id and i.organization_id = p.organization_id
         where p.organization_id = ${scope.organizationId} and p.status = 'active'
         order by p.created_at, p.id, i.id`,
  );
  const byPromise = new Map<string, Row[]>();
  for (const r of rows) byPromise.set(r.promiseId, [...(byPromise.get(r.promiseId) ?? []), r]);
  const credited = await creditsSince(scope, rows);

  const summary: EvaluationSummary = {
    today,
    evaluated: byPromise.size,
    kept: 0,
    partiallyKept: 0,
    broken: 0,
    cancelled: 0,
  };
  for (const [promiseId, invs] of byPromise) {
    const head = invs[0]!;
    const s = settlePromise(
      {
        amount: head.amount,
        promisedDate: head.promisedDate,
        graceDays: head.graceDays,
        invoices: invs.map((i) => ({
          balanceAtPromise: i.balanceAtPromise,
          balanceNow: i.balance,
          status: i.status,
          creditedSincePromise: credited(i, head.createdAt),
        })),
      },
      today,
    );
    if (s.status === 'active') continue;
    try {
      const done = await settle(
        app,
        scope,
        firm,
        today,
        promiseId,
        invs,
        s.status,
        formatMoney(s.paid, head.currency),
      );
      if (!done) continue;
      if (s.status === 'kept') summary.kept++;
      else if (s.status === 'partially_kept') summary.partiallyKept++;
      else if (s.status === 'broken') summary.broken++;
      else summary.cancelled++;
    } catch (e) {
      // one promise that cannot be settled now (e.g. a template problem) does not hold back the rest
      log.error({ organizationId: scope.organizationId, promiseId, err: e }, 'promise settlement failed');
    }
  }
  return summary;
}

/**
 * Credit applied to each promised invoice by credit notes recorded after the promise: it lowers
 * what is owed without being a payment. (Credit notes carry no date per allocation; one first
 * synced after the promise is taken as applied after it.)
 */
async function creditsSince(
  scope: OrgScope,
  rows: Row[],
): Promise<(inv: Row, promiseCreatedAt: string) => string | undefined> {
  const customerIds = [...new Set(rows.map((r) => r.customerId))];
  if (customerIds.length === 0) return () => undefined;
  const oldest = rows.reduce((m, r) => (r.createdAt < m ? r.createdAt : m), rows[0]!.createdAt);
  const notes = await scope.db
    .select({
      connectionId: creditNotes.connectionId,
      createdAt: creditNotes.createdAt,
      allocations: creditNotes.allocations,
    })
    .from(creditNotes)
    .where(
      scope.where(
        creditNotes,
        inArray(creditNotes.customerId, customerIds),
        notInArray(creditNotes.status, ['voided', 'deleted']),
        gt(creditNotes.createdAt, new Date(oldest)),
      ),
    );
  return (inv, since) => {
    let total = 0n;
    for (const n of notes) {
      if (n.connectionId !== inv.connectionId || n.createdAt.getTime() <= new Date(since).getTime()) continue;
      for (const a of n.allocations)
        if (a.invoiceExternalId === inv.externalId) total += parseMoney(a.amount);
    }
    return total > 0n ? formatMoney(total, inv.currency) : undefined;
  };
}

const AUDIT_ACTION: Record<Exclude<PromiseOutcome, 'active'>, string> = {
  kept: 'promise.kept',
  partially_kept: 'promise.partially_kept',
  broken: 'promise.broken',
  cancelled: 'promise.cancelled',
};

/** Record one settlement; false when another evaluation settled the promise first. */
async function settle(
  app: AppContext,
  scope: OrgScope,
  firm: CaseFirm,
  today: string,
  promiseId: string,
  invs: Row[],
  status: Exclude<PromiseOutcome, 'active'>,
  amountPaid: string,
): Promise<boolean> {
  const head = invs[0]!;
  return caseTransaction(app, scope, async (txApp, tx) => {
    const now = app.now();
    const claimed = await tx
      .update(
        promises,
        { status, amountPaid, resolvedAt: now, updatedAt: now },
        eq(promises.id, promiseId),
        eq(promises.status, 'active'),
      )
      .returning({ id: promises.id });
    if (claimed.length === 0) return false;
    await audit(tx, SYSTEM, AUDIT_ACTION[status], { type: 'promise', id: promiseId }, { amountPaid, today });
    if (status === 'cancelled') return true;
    const text = promiseNoteText(status, { ...head, amountPaid });
    for (const inv of invs) {
      if (inv.status === 'voided' || inv.status === 'deleted') continue;
      await queueInvoiceNote(txApp, tx, {
        invoiceId: inv.invoiceId,
        text,
        idempotencyKey: `promise:${promiseId}:${inv.invoiceId}:${status}`,
      });
    }
    if (status === 'broken') await brokenFollowUp(txApp, tx, firm, today, head, invs);
    return true;
  });
}

/** The firm's follow-up for a broken promise: a call task, or the "you promised" e-mail. */
async function brokenFollowUp(
  app: AppContext,
  scope: OrgScope,
  firm: CaseFirm,
  today: string,
  head: Row,
  invs: Row[],
): Promise<void> {
  const open = invs.filter((i) => i.status === 'open');
  if (firm.policies.promises.brokenFollowUp === 'email') {
    const key = `promise-broken:${head.promiseId}`;
    if (await emailRecorded(app, key)) return;
    const to = await caseRecipient(
      scope,
      { id: head.customerId, email: head.customerEmail },
      { contactId: head.contactId, dunning: true },
    );
    if (to && open.length > 0) {
      const portalUrl = await caseLink(app, scope, head.customerId, to.contactId);
      const rendered = await renderFirmTemplate(app, 'broken-promise', {
        org: firm.org,
        contactName: to.name,
        customerName: head.customerName,
        invoices: open.map((i) => ({
          number: i.number,
          dueDate: i.dueDate,
          balance: i.balance,
          currency: i.currency,
        })),
        asOf: today,
        portalUrl,
        promise: { date: head.promisedDate, amount: head.amount, currency: head.currency },
      });
      await queueEmail(app, {
        organizationId: scope.organizationId,
        kind: 'promise.broken',
        idempotencyKey: key,
        to: to.email,
        replyTo: firm.org.branding.replyTo ?? null,
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
      });
      return;
    }
    // nobody to write to: the clerk calls instead
  }
  const points = [
    `Promised ${displayMoney(parseMoney(head.amount), head.currency)} by ${head.promisedDate} (${SOURCE_WORDS[head.source] ?? head.source}, recorded ${head.createdAt.slice(0, 10)}); nothing paid since`,
    ...open.map(
      (i) =>
        `Owed: invoice ${i.number ? `#${i.number}` : 'without number'}, ${displayMoney(parseMoney(i.balance), i.currency)}, due ${i.dueDate}`,
    ),
    'Ask what happened and agree a new date; record it as a new promise',
  ];
  if (firm.policies.promises.brokenFollowUp === 'email')
    points.unshift('No deliverable e-mail address on file for the "you promised" e-mail');
  await scope
    .insert(tasks, {
      customerId: head.customerId,
      invoiceIds: open.map((i) => i.invoiceId),
      kind: 'call',
      title: 'Call about a broken promise to pay',
      talkingPoints: points,
      dueDate: today,
      idempotencyKey: `promise-broken-${head.promiseId}`,
    })
    .onConflictDoNothing();
}

/** Enqueue one firm's evaluation (after a sync, or from the schedule) under a deterministic id. */
export async function enqueuePromiseEvaluation(
  app: Pick<AppContext, 'queue'>,
  organizationId: string,
  occasion: string,
): Promise<void> {
  await app.queue.enqueue(
    PROMISES_EVALUATE_JOB,
    { organizationId },
    { jobId: `promises-evaluate-${organizationId}-${occasion}` },
  );
}

/** Firms with at least one active promise (the schedule evaluates only these). */
export async function firmsWithActivePromises(app: Pick<AppContext, 'db'>): Promise<string[]> {
  const rows = await app.db
    .selectDistinct({ id: promises.organizationId })
    .from(promises)
    .where(and(eq(promises.status, 'active')));
  return rows.map((r) => r.id);
}
