/**
 * What the portal shows of one customer's invoices. Every query filters by the firm (OrgScope)
 * and by the portal's customer, so another customer's invoice simply does not exist here.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { creditNotes, invoices, paymentAllocations, payments } from '../../db/schema';
import { queryRows } from '../../db/client';
import { isUuid, type OrgScope } from '../../db/scope';
import { daysPastDue } from '../../domain/aging';
import { formatMoney, parseMoney, type Micros } from '../../domain/money';
import { NotFoundError } from '../errors';

export interface OpenInvoiceRow {
  id: string;
  number: string | null;
  issueDate: string;
  dueDate: string;
  currency: string;
  total: string;
  balance: string;
  onlinePaymentUrl: string | null;
  /** Positive: days past due; zero or negative: due today / in n days. */
  daysOverdue: number;
}

export interface CurrencyTotal {
  currency: string;
  amount: string;
  count: number;
  overdue: string;
  overdueCount: number;
}

export interface OpenInvoices {
  asOf: string;
  invoices: OpenInvoiceRow[];
  totals: CurrencyTotal[];
}

/**
 * Open invoices of the customer, earliest due first, with totals per currency. One query on the
 * (organization_id, customer_id) index, in plain SQL: this is the portal's busiest page, and the
 * query builder's row mapping cost more than PostgreSQL took to answer.
 */
export async function listOpenInvoices(
  scope: OrgScope,
  customerId: string,
  asOf: string,
): Promise<OpenInvoices> {
  const rows = await queryRows<OpenInvoiceRow>(
    scope.db,
    sql`select id, number, issue_date::text as "issueDate", due_date::text as "dueDate", currency,
               total::text as total, balance::text as balance, online_payment_url as "onlinePaymentUrl",
               (${asOf}::date - due_date)::int as "daysOverdue"
          from invoices
         where organization_id = ${scope.organizationId} and customer_id = ${customerId} and status = 'open'
         order by due_date, number, id`,
  );
  for (const r of rows) r.onlinePaymentUrl = safePaymentUrl(r.onlinePaymentUrl);
  return { asOf, invoices: rows, totals: totalsByCurrency(rows) };
}

/**
 * A fingerprint of the customer's open invoices that changes whenever one is added, changed or
 * leaves the list: every update writes a new row version, with a new `xmin`. One short row back
 * from PostgreSQL instead of hundreds, so the portal can keep the list it rendered while this
 * holds (the list also depends on the date, which the caller keys by).
 */
export async function openInvoicesVersion(scope: OrgScope, customerId: string): Promise<string> {
  const [row] = await queryRows<{ version: string }>(
    scope.db,
    sql`select count(*) || ':' || md5(coalesce(string_agg(id::text || '.' || xmin::text, ',' order by id), ''))
               as version
          from invoices
         where organization_id = ${scope.organizationId} and customer_id = ${customerId} and status = 'open'`,
  );
  return row!.version;
}

export function totalsByCurrency(rows: readonly OpenInvoiceRow[]): CurrencyTotal[] {
  const acc = new Map<string, { amount: Micros; overdue: Micros; count: number; overdueCount: number }>();
  for (const r of rows) {
    const t = acc.get(r.currency) ?? { amount: 0n, overdue: 0n, count: 0, overdueCount: 0 };
    const m = parseMoney(r.balance);
    t.amount += m;
    if (r.daysOverdue > 0) {
      t.overdue += m;
      t.overdueCount += 1;
    }
    t.count += 1;
    acc.set(r.currency, t);
  }
  return [...acc]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, t]) => ({
      currency,
      amount: formatMoney(t.amount, currency),
      overdue: formatMoney(t.overdue, currency),
      count: t.count,
      overdueCount: t.overdueCount,
    }));
}

/** The platform's own online-payment link, only when it is a plain https address. */
export function safePaymentUrl(url: string | null): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' ? u.toString() : null;
  } catch {
    return null;
  }
}

export interface InvoiceDetail {
  invoice: {
    id: string;
    number: string | null;
    issueDate: string;
    dueDate: string;
    currency: string;
    total: string;
    balance: string;
    paid: string;
    status: 'open' | 'paid' | 'voided';
    onlinePaymentUrl: string | null;
    lines: { description: string | null; amount: string }[];
    lineCount: number;
    daysOverdue: number;
  };
  payments: { id: string; date: string; method: string | null; reference: string | null; amount: string }[];
  creditNotes: { id: string; number: string | null; date: string; amount: string }[];
}

/** One invoice of this customer with the payments and credit notes applied to it; 404 otherwise. */
export async function getInvoiceDetail(
  scope: OrgScope,
  customerId: string,
  invoiceId: string,
  asOf: string,
): Promise<InvoiceDetail> {
  const inv = await findCustomerInvoice(scope, customerId, invoiceId);
  const [applied, credits] = await Promise.all([
    scope.db
      .select({
        id: payments.id,
        date: payments.date,
        method: payments.method,
        reference: payments.reference,
        amount: paymentAllocations.amount,
      })
      .from(paymentAllocations)
      .innerJoin(payments, eq(payments.id, paymentAllocations.paymentId))
      .where(
        and(
          scope.where(paymentAllocations, eq(paymentAllocations.invoiceId, inv.id)),
          eq(payments.organizationId, scope.organizationId),
          eq(payments.status, 'active'),
        ),
      )
      .orderBy(asc(payments.date)),
    scope.db
      .select({
        id: creditNotes.id,
        number: creditNotes.number,
        date: creditNotes.date,
        allocations: creditNotes.allocations,
      })
      .from(creditNotes)
      .where(
        scope.where(
          creditNotes,
          eq(creditNotes.customerId, customerId),
          eq(creditNotes.connectionId, inv.connectionId),
          inArray(creditNotes.status, ['open', 'applied']),
          sql`${creditNotes.allocations} @> ${JSON.stringify([{ invoiceExternalId: inv.externalId }])}::jsonb`,
        ),
      )
      .orderBy(asc(creditNotes.date)),
  ]);
  const total = parseMoney(inv.total);
  const balance = parseMoney(inv.balance);
  return {
    invoice: {
      id: inv.id,
      number: inv.number,
      issueDate: inv.issueDate,
      dueDate: inv.dueDate,
      currency: inv.currency,
      total: formatMoney(total, inv.currency),
      balance: formatMoney(balance, inv.currency),
      paid: formatMoney(total - balance, inv.currency),
      status: inv.status as 'open' | 'paid' | 'voided',
      onlinePaymentUrl: safePaymentUrl(inv.onlinePaymentUrl),
      lines: inv.lines.map((l) => ({ description: l.description, amount: l.amount })),
      lineCount: inv.lineCount,
      daysOverdue: daysPastDue(inv.dueDate, asOf),
    },
    payments: applied.map((p) => ({ ...p, amount: formatMoney(parseMoney(p.amount), inv.currency) })),
    creditNotes: credits.map((c) => {
      const amount = c.allocations
        .filter((a) => a.invoiceExternalId === inv.externalId)
        .reduce((s, a) => s + parseMoney(a.amount), 0n);
      return { id: c.id, number: c.number, date: c.date, amount: formatMoney(amount, inv.currency) };
    }),
  };
}

/** The invoice row when it belongs to this customer of this firm (deleted ones do not). */
export async function findCustomerInvoice(scope: OrgScope, customerId: string, invoiceId: string) {
  if (!isUuid(invoiceId)) throw new NotFoundError('invoice');
  const [inv] = await scope.select(
    invoices,
    eq(invoices.id, invoiceId),
    eq(invoices.customerId, customerId),
    inArray(invoices.status, ['open', 'paid', 'voided']),
  );
  if (!inv) throw new NotFoundError('invoice');
  return inv;
}
