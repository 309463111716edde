/**
 * Paid invoices and payment history of one portal customer, with what each payment paid. An
 * allocation to an invoice of another account (a parent paying a branch's bill) shows no number.
 */
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import { invoices, paymentAllocations, payments } from '../../db/schema';
import { isUuid, type OrgScope } from '../../db/scope';
import { formatMoney, parseMoney } from '../../domain/money';
import { NotFoundError } from '../errors';

export const HISTORY_LIMIT = 200;

export interface PaidInvoiceRow {
  id: string;
  number: string | null;
  issueDate: string;
  dueDate: string;
  currency: string;
  total: string;
  paidOn: string | null;
}

export interface PaymentRow {
  id: string;
  date: string;
  currency: string;
  amount: string;
  method: string | null;
  reference: string | null;
  source: 'platform' | 'portal';
  allocations: { invoiceId: string | null; number: string | null; amount: string }[];
}

export async function listPaidInvoices(scope: OrgScope, customerId: string): Promise<PaidInvoiceRow[]> {
  const rows = await scope.db
    .select({
      id: invoices.id,
      number: invoices.number,
      issueDate: invoices.issueDate,
      dueDate: invoices.dueDate,
      currency: invoices.currency,
      total: invoices.total,
      paidAt: invoices.paidAt,
    })
    .from(invoices)
    .where(scope.where(invoices, eq(invoices.customerId, customerId), eq(invoices.status, 'paid')))
    .orderBy(sql`${invoices.paidAt} desc nulls last`, desc(invoices.issueDate), desc(invoices.id))
    .limit(HISTORY_LIMIT);
  return rows.map((r) => ({
    id: r.id,
    number: r.number,
    issueDate: r.issueDate,
    dueDate: r.dueDate,
    currency: r.currency,
    total: formatMoney(parseMoney(r.total), r.currency),
    paidOn: r.paidAt ? r.paidAt.toISOString().slice(0, 10) : null,
  }));
}

export async function listPayments(scope: OrgScope, customerId: string): Promise<PaymentRow[]> {
  const rows = await scope.db
    .select()
    .from(payments)
    .where(scope.where(payments, eq(payments.customerId, customerId), eq(payments.status, 'active')))
    .orderBy(desc(payments.date), desc(payments.createdAt))
    .limit(HISTORY_LIMIT);
  return withAllocations(scope, customerId, rows);
}

/** One payment of this customer with its allocations; 404 for anyone else's. */
export async function getPayment(
  scope: OrgScope,
  customerId: string,
  paymentId: string,
): Promise<PaymentRow> {
  if (!isUuid(paymentId)) throw new NotFoundError('payment');
  const rows = await scope.select(
    payments,
    eq(payments.id, paymentId),
    eq(payments.customerId, customerId),
    inArray(payments.status, ['active']),
  );
  if (!rows[0]) throw new NotFoundError('payment');
  const [row] = await withAllocations(scope, customerId, rows);
  return row!;
}

async function withAllocations(
  scope: OrgScope,
  customerId: string,
  rows: (typeof payments.$inferSelect)[],
): Promise<PaymentRow[]> {
  if (!rows.length) return [];
  const allocs = await scope.db
    .select({
      paymentId: paymentAllocations.paymentId,
      invoiceId: invoices.id,
      number: invoices.number,
      amount: paymentAllocations.amount,
    })
    .from(paymentAllocations)
    .leftJoin(
      invoices,
      and(
        eq(invoices.id, paymentAllocations.invoiceId),
        eq(invoices.organizationId, scope.organizationId),
        eq(invoices.customerId, customerId),
      ),
    )
    .where(
      scope.where(
        paymentAllocations,
        inArray(
          paymentAllocations.paymentId,
          rows.map((r) => r.id),
        ),
      ),
    )
    .orderBy(asc(invoices.number));
  const byPayment = new Map<string, PaymentRow['allocations']>();
  const currencyOf = new Map<string, string>();
  for (const r of rows) {
    byPayment.set(r.id, []);
    currencyOf.set(r.id, r.currency);
  }
  for (const a of allocs) {
    const currency = currencyOf.get(a.paymentId)!;
    byPayment.get(a.paymentId)!.push({
      invoiceId: a.invoiceId,
      number: a.invoiceId ? a.number : null,
      amount: formatMoney(parseMoney(a.amount), currency),
    });
  }
  return rows.map((r) => ({
    id: r.id,
    date: r.date,
    currency: r.currency,
    amount: formatMoney(parseMoney(r.amount), r.currency),
    method: r.method,
    reference: r.reference,
    source: r.source,
    allocations: byPayment.get(r.id)!,
  }));
}
