/**
 * Reading promises: lists (keyset pages), one promise with its invoices, the invoices a customer
 * can promise to pay, and the promise-kept rate.
 */
import { and, asc, desc, eq, gt, gte, inArray, isNull, lte, notInArray } from 'drizzle-orm';
import { customers, invoices, promiseInvoices, promises } from '../../db/schema';
import { isUuid, type OrgScope } from '../../db/scope';
import { formatMoney, parseMoney } from '../../domain/money';
import { keptScore } from '../../domain/promises';
import { isLocalDate } from '../../domain/calendar';
import { NotFoundError, ValidationError } from '../errors';

export const PROMISE_STATUSES = ['active', 'kept', 'partially_kept', 'broken', 'cancelled'] as const;

export interface PromiseView {
  id: string;
  customerId: string;
  customerName: string;
  contactId: string | null;
  invoiceIds: string[];
  amount: string;
  currency: string;
  promisedDate: string;
  graceDays: number;
  status: string;
  amountPaid: string;
  source: string;
  note: string | null;
  createdByUserId: string | null;
  createdAt: string;
  resolvedAt: string | null;
}

const cursorOf = (id: string) => Buffer.from(id, 'utf8').toString('base64url');
function decode(cursor: string | undefined): string | null {
  if (!cursor) return null;
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!isUuid(id)) throw new ValidationError('is not valid', 'cursor');
  return id;
}

/** A firm's promises, newest first by id order pages (`limit` ≤ 500). */
export async function listPromises(
  scope: OrgScope,
  filter: { customerId?: string; status?: string; limit?: number; cursor?: string } = {},
): Promise<{ data: PromiseView[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(Math.trunc(filter.limit ?? 100), 1), 500);
  if (
    filter.status &&
    filter.status !== 'all' &&
    !(PROMISE_STATUSES as readonly string[]).includes(filter.status)
  )
    throw new ValidationError(`must be one of ${PROMISE_STATUSES.join(', ')} or all`, 'status');
  if (filter.customerId && !isUuid(filter.customerId)) return { data: [], nextCursor: null };
  const after = decode(filter.cursor);
  const rows = await scope.db
    .select({ p: promises, customerName: customers.name })
    .from(promises)
    .innerJoin(customers, eq(customers.id, promises.customerId))
    .where(
      scope.where(
        promises,
        filter.customerId ? eq(promises.customerId, filter.customerId) : undefined,
        filter.status && filter.status !== 'all' ? eq(promises.status, filter.status as never) : undefined,
        after ? gt(promises.id, after) : undefined,
      ),
    )
    .orderBy(asc(promises.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const views = await withInvoices(
    scope,
    page.map((r) => ({ ...r.p, customerName: r.customerName })),
  );
  return {
    data: views,
    nextCursor: rows.length > limit ? cursorOf(page[page.length - 1]!.p.id) : null,
  };
}

/** The latest promises first (the clerk's page): at most `limit`. */
export async function recentPromises(
  scope: OrgScope,
  filter: { status?: string; customerId?: string; limit?: number } = {},
): Promise<PromiseView[]> {
  const rows = await scope.db
    .select({ p: promises, customerName: customers.name })
    .from(promises)
    .innerJoin(customers, eq(customers.id, promises.customerId))
    .where(
      scope.where(
        promises,
        filter.status && (PROMISE_STATUSES as readonly string[]).includes(filter.status)
          ? eq(promises.status, filter.status as never)
          : undefined,
        filter.customerId && isUuid(filter.customerId)
          ? eq(promises.customerId, filter.customerId)
          : undefined,
      ),
    )
    .orderBy(desc(promises.createdAt), desc(promises.id))
    .limit(Math.min(filter.limit ?? 200, 500));
  return withInvoices(
    scope,
    rows.map((r) => ({ ...r.p, customerName: r.customerName })),
  );
}

export async function getPromise(
  scope: OrgScope,
  promiseId: string,
  opts: { customerId?: string } = {},
): Promise<PromiseView> {
  const p = await scope.findById(promises, promiseId);
  if (!p || (opts.customerId && p.customerId !== opts.customerId)) throw new NotFoundError('promise');
  const [c] = await scope.db
    .select({ name: customers.name })
    .from(customers)
    .where(eq(customers.id, p.customerId));
  const [view] = await withInvoices(scope, [{ ...p, customerName: c?.name ?? '' }]);
  return view!;
}

async function withInvoices(
  scope: OrgScope,
  rows: (typeof promises.$inferSelect & { customerName: string })[],
): Promise<PromiseView[]> {
  if (rows.length === 0) return [];
  const links = await scope.db
    .select({ promiseId: promiseInvoices.promiseId, invoiceId: promiseInvoices.invoiceId })
    .from(promiseInvoices)
    .where(
      and(
        eq(promiseInvoices.organizationId, scope.organizationId),
        inArray(
          promiseInvoices.promiseId,
          rows.map((r) => r.id),
        ),
      ),
    )
    .orderBy(asc(promiseInvoices.invoiceId));
  return rows.map((p) => ({
    id: p.id,
    customerId: p.customerId,
    customerName: p.customerName,
    contactId: p.contactId,
    invoiceIds: links.filter((l) => l.promiseId === p.id).map((l) => l.invoiceId),
    amount: formatMoney(parseMoney(p.amount), p.currency),
    currency: p.currency,
    promisedDate: p.promisedDate,
    graceDays: p.graceDays,
    status: p.status,
    amountPaid: formatMoney(parseMoney(p.amountPaid), p.currency),
    source: p.source,
    note: p.note,
    createdByUserId: p.createdByUserId,
    createdAt: p.createdAt.toISOString(),
    resolvedAt: p.resolvedAt ? p.resolvedAt.toISOString() : null,
  }));
}

export interface OpenInvoice {
  id: string;
  number: string | null;
  dueDate: string;
  balance: string;
  currency: string;
  /** The active promise's date when one covers the invoice. */
  promisedDate: string | null;
}

/** A customer's open invoices with a balance (what a promise may cover), oldest due first. */
export async function promisableInvoices(scope: OrgScope, customerId: string): Promise<OpenInvoice[]> {
  const rows = await scope.db
    .select({
      id: invoices.id,
      number: invoices.number,
      dueDate: invoices.dueDate,
      balance: invoices.balance,
      currency: invoices.currency,
    })
    .from(invoices)
    .where(
      scope.where(
        invoices,
        eq(invoices.customerId, customerId),
        eq(invoices.status, 'open'),
        gt(invoices.balance, '0'),
      ),
    )
    .orderBy(asc(invoices.dueDate), asc(invoices.id));
  if (rows.length === 0) return [];
  const promised = await scope.db
    .select({ invoiceId: promiseInvoices.invoiceId, date: promises.promisedDate })
    .from(promiseInvoices)
    .innerJoin(promises, eq(promises.id, promiseInvoices.promiseId))
    .where(
      and(
        scope.where(promises, eq(promises.status, 'active'), eq(promises.customerId, customerId)),
        eq(promiseInvoices.organizationId, scope.organizationId),
      ),
    );
  const byInvoice = new Map(promised.map((p) => [p.invoiceId, p.date]));
  return rows.map((r) => ({
    ...r,
    balance: formatMoney(parseMoney(r.balance), r.currency),
    promisedDate: byInvoice.get(r.id) ?? null,
  }));
}

export interface KeptRate {
  /** Percent with one decimal, or null when no promise has been settled. */
  rate: number | null;
  /** Settled promises counted (kept, partially kept, broken). */
  settled: number;
  kept: number;
  partiallyKept: number;
  broken: number;
}

/**
 * The promise-kept rate over settled promises whose promised date falls in [from, to]: a kept
 * promise counts 1, a partially kept one the share of its amount that was paid, a broken one 0;
 * active and cancelled (replaced, or nothing left to pay) promises are not counted.
 */
export async function promiseKeptRate(
  scope: OrgScope,
  opts: { customerId?: string; from?: string; to?: string } = {},
): Promise<KeptRate> {
  for (const k of ['from', 'to'] as const) {
    const v = opts[k];
    if (v !== undefined && !isLocalDate(v)) throw new ValidationError('must be a date YYYY-MM-DD', k);
  }
  if (opts.customerId && !isUuid(opts.customerId))
    return { rate: null, settled: 0, kept: 0, partiallyKept: 0, broken: 0 };
  const rows = await scope.db
    .select({ status: promises.status, amount: promises.amount, amountPaid: promises.amountPaid })
    .from(promises)
    .where(
      scope.where(
        promises,
        notInArray(promises.status, ['active', 'cancelled']),
        opts.customerId ? eq(promises.customerId, opts.customerId) : undefined,
        opts.from ? gte(promises.promisedDate, opts.from) : undefined,
        opts.to ? lte(promises.promisedDate, opts.to) : undefined,
      ),
    );
  let total = 0;
  const out: KeptRate = { rate: null, settled: 0, kept: 0, partiallyKept: 0, broken: 0 };
  for (const r of rows) {
    const score = keptScore(r.status, r.amount, r.amountPaid);
    if (score === null) continue;
    out.settled++;
    total += score;
    if (r.status === 'kept') out.kept++;
    else if (r.status === 'partially_kept') out.partiallyKept++;
    else out.broken++;
  }
  if (out.settled > 0) out.rate = Math.round((total / out.settled) * 1000) / 10;
  return out;
}

/** Kept rate per customer over all settled promises (the clerk's list shows it per row). */
export async function keptRatesByCustomer(scope: OrgScope): Promise<Map<string, number>> {
  const rows = await scope.db
    .select({
      customerId: promises.customerId,
      status: promises.status,
      amount: promises.amount,
      amountPaid: promises.amountPaid,
    })
    .from(promises)
    .where(scope.where(promises, notInArray(promises.status, ['active', 'cancelled'])));
  const sums = new Map<string, { total: number; n: number }>();
  for (const r of rows) {
    const score = keptScore(r.status, r.amount, r.amountPaid);
    if (score === null) continue;
    const s = sums.get(r.customerId) ?? { total: 0, n: 0 };
    s.total += score;
    s.n += 1;
    sums.set(r.customerId, s);
  }
  return new Map([...sums].map(([id, s]) => [id, Math.round((s.total / s.n) * 1000) / 10]));
}

/** Customers with something open to promise, by name (the clerk's "record a promise" choice). */
export async function customersWithOpenInvoices(scope: OrgScope): Promise<{ id: string; name: string }[]> {
  return scope.db
    .selectDistinct({ id: customers.id, name: customers.name })
    .from(customers)
    .innerJoin(
      invoices,
      and(eq(invoices.customerId, customers.id), eq(invoices.organizationId, customers.organizationId)),
    )
    .where(
      scope.where(
        customers,
        isNull(customers.deletedAt),
        eq(invoices.status, 'open'),
        gt(invoices.balance, '0'),
      ),
    )
    .orderBy(asc(customers.name), asc(customers.id))
    .limit(1000);
}
