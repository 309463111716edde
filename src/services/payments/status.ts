import { and, eq, inArray } from 'drizzle-orm';
import { checkoutSessions, invoices, type CheckoutStatus } from '../../db/schema';
import type { OrgScope } from '../../db/scope';
import { NotFoundError } from '../errors';

export interface CheckoutView {
  id: string;
  status: CheckoutStatus;
  amount: string;
  currency: string;
  invoices: { id: string; number: string | null; amount: string }[];
}

/**
 * One of the customer's own checkouts, by Stripe's session id (what the success URL carries).
 * The status is what the signed webhook recorded; the URL alone never marks anything paid.
 */
export async function getCustomerCheckout(
  scope: OrgScope,
  customerId: string,
  providerSessionId: string,
): Promise<CheckoutView> {
  if (!/^cs_[A-Za-z0-9_]{1,200}$/.test(providerSessionId)) throw new NotFoundError('payment');
  const [row] = await scope.select(
    checkoutSessions,
    and(
      eq(checkoutSessions.providerSessionId, providerSessionId),
      eq(checkoutSessions.customerId, customerId),
    ),
  );
  if (!row) throw new NotFoundError('payment');
  const ids = row.allocations.map((a) => a.invoiceId);
  const rows = ids.length
    ? await scope.select(invoices, and(inArray(invoices.id, ids), eq(invoices.customerId, customerId)))
    : [];
  const numbers = new Map(rows.map((i) => [i.id, i.number]));
  return {
    id: row.id,
    status: row.status,
    amount: row.amount,
    currency: row.currency,
    invoices: row.allocations.map((a) => ({
      id: a.invoiceId,
      number: numbers.get(a.invoiceId) ?? null,
      amount: a.amount,
    })),
  };
}
