/**
 * Open a Stripe Checkout session for some of one customer's open invoices, partial amounts
 * allowed. The amounts are checked here (never trusted from the form), the session carries the
 * firm, customer and our checkout id in its metadata, and the create call is idempotent: the
 * same form submitted twice yields the same session and one `checkout_sessions` row.
 */
import crypto from 'node:crypto';
import { and, eq, inArray } from 'drizzle-orm';
import type Stripe from 'stripe';
import { z } from 'zod';
import type { AppContext } from '../../app/context';
import { formatMoney, parseMoney } from '../../domain/money';
import { checkAllocations, showMoney, type PayableInvoice } from '../../domain/onlinePayment';
import { checkoutSessions, contacts, customers, invoices, organizations } from '../../db/schema';
import type { OrgScope } from '../../db/scope';
import { getLogger } from '../../logging/logger';
import { audit } from '../audit';
import { ConflictError, NotFoundError, ServiceError, ValidationError } from '../errors';
import { paymentsEnabled, stripeClient } from './config';

const log = getLogger('payments');

export interface CreateCheckoutInput {
  customerId: string;
  allocations: { invoiceId: string; amount: string }[];
  successUrl: string;
  cancelUrl: string;
  /**
   * Identifies one attempt to pay (e.g. a random value rendered into the pay form): a form
   * submitted twice with the same attempt opens one session. Default: the same invoices and
   * amounts within ten minutes are one attempt.
   */
  attemptId?: string;
  /** The portal contact paying, to prefill the payer's e-mail at Stripe. */
  contactId?: string | null;
}

const inputSchema = z.object({
  customerId: z.string().uuid('unknown customer'),
  allocations: z
    .array(z.object({ invoiceId: z.string().max(64), amount: z.string().max(32) }))
    .max(50, 'pay at most 50 invoices at a time'),
  successUrl: z.url({ protocol: /^https?$/ }),
  cancelUrl: z.url({ protocol: /^https?$/ }),
  attemptId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{8,64}$/)
    .optional(),
  contactId: z.string().uuid().nullish(),
});

/** Stripe refuses a request for a reason the payer can act on → a ValidationError; else upward. */
export class PaymentProviderError extends ServiceError {
  override readonly name = 'PaymentProviderError';
  constructor(message: string) {
    super('payment_provider_unavailable', message, 502);
  }
}

/** A UUID derived from a key (name-based, v4 layout): the same key always names the same row. */
function uuidFrom(key: string): string {
  const h = crypto.createHash('sha256').update(key).digest();
  h[6] = (h[6]! & 0x0f) | 0x40;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

export async function createCheckout(
  app: AppContext,
  scope: OrgScope,
  raw: CreateCheckoutInput,
): Promise<{ url: string; checkoutId: string }> {
  if (!paymentsEnabled(app)) throw new NotFoundError('online payment');
  const parsed = inputSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ValidationError(issue.message, issue.path.map(String).join('.') || undefined);
  }
  const input = parsed.data;
  const [customer] = await scope.select(customers, eq(customers.id, input.customerId)).limit(1);
  if (!customer || customer.deletedAt) throw new NotFoundError('customer');

  // only this customer's invoices can be found: another customer's id is simply unknown
  const ids = input.allocations.map((a) => a.invoiceId).filter((id) => /^[0-9a-f-]{36}$/i.test(id));
  const rows = ids.length
    ? await scope.select(invoices, and(eq(invoices.customerId, customer.id), inArray(invoices.id, ids)))
    : [];
  const payable = new Map<string, PayableInvoice>(
    rows.map((r) => [
      r.id,
      { id: r.id, number: r.number, currency: r.currency, balance: r.balance, status: r.status },
    ]),
  );
  const check = checkAllocations(payable, input.allocations);
  if (!check.ok) throw new ValidationError(check.message, check.field);
  const { currency, total, lines } = check;

  const allocations = lines.map((l) => ({ invoiceId: l.invoice.id, amount: l.amount }));
  const attempt = input.attemptId ?? `t${Math.floor(app.now().getTime() / 600_000)}`; /* ten-minute window */
  const key = `checkout:${scope.organizationId}:${customer.id}:${attempt}:${JSON.stringify(allocations)}`;
  const checkoutId = uuidFrom(key);
  const idempotencyKey = `duely-checkout-${checkoutId}`;

  const [org] = await scope.db
    .select({ name: organizations.name })
    .from(organizations)
    .where(eq(organizations.id, scope.organizationId));
  const payerEmail = await payerEmailOf(scope, customer.id, input.contactId ?? null, customer.email);
  const numbers = lines.map((l) => l.invoice.number ?? 'without number');
  const metadata = { organizationId: scope.organizationId, customerId: customer.id, checkoutId };
  const params: Stripe.Checkout.SessionCreateParams = {
    mode: 'payment',
    submit_type: 'pay',
    client_reference_id: checkoutId,
    metadata,
    payment_intent_data: {
      description:
        `${org?.name ?? 'Invoices'}: ${numbers.length === 1 ? 'invoice' : 'invoices'} ${numbers.join(', ')}`.slice(
          0,
          1000,
        ),
      metadata,
    },
    // a filter on what the account has enabled: card, and ACH debit for USD
    allowed_payment_method_types: currency === 'USD' ? ['card', 'us_bank_account'] : ['card'],
    line_items: lines.map((l) => ({
      quantity: 1,
      price_data: {
        currency: currency.toLowerCase(),
        unit_amount: l.stripeAmount,
        product_data: {
          name: l.invoice.number ? `Invoice ${l.invoice.number}` : 'Invoice',
          description: `Payment towards the balance of ${showMoney(parseMoney(l.invoice.balance), currency)}`,
        },
      },
    })),
    success_url: input.successUrl,
    cancel_url: input.cancelUrl,
    ...(payerEmail ? { customer_email: payerEmail } : {}),
  };

  let session: Stripe.Checkout.Session;
  try {
    session = await stripeClient(app).checkout.sessions.create(params, { idempotencyKey });
  } catch (e) {
    throw providerError(e);
  }
  if (!session.url) {
    // a replay of an attempt that was already paid or has expired
    throw new ConflictError('this payment was already started; reload the page to pay again');
  }
  const inserted = await scope
    .insert(checkoutSessions, {
      id: checkoutId,
      customerId: customer.id,
      providerSessionId: session.id,
      amount: formatMoney(total, currency),
      currency,
      allocations,
    })
    .onConflictDoNothing()
    .returning({ id: checkoutSessions.id });
  if (inserted.length) {
    await audit(
      scope,
      { type: 'customer', id: customer.id },
      'payment.checkout_started',
      { type: 'checkout_session', id: checkoutId },
      { amount: formatMoney(total, currency), currency, invoiceIds: allocations.map((a) => a.invoiceId) },
    );
    log.info({ organizationId: scope.organizationId, checkoutId, invoices: lines.length }, 'checkout opened');
  }
  return { url: session.url, checkoutId };
}

async function payerEmailOf(
  scope: OrgScope,
  customerId: string,
  contactId: string | null,
  fallback: string | null,
): Promise<string | null> {
  const ok = (e: string | null | undefined): e is string => !!e && z.email().safeParse(e).success;
  if (contactId) {
    const [c] = await scope.select(
      contacts,
      and(eq(contacts.id, contactId), eq(contacts.customerId, customerId)),
    );
    if (c && !c.erasedAt && ok(c.email)) return c.email;
  }
  return ok(fallback) ? fallback : null;
}

function providerError(e: unknown): Error {
  const err = e as { type?: string; message?: string; statusCode?: number; param?: string };
  if (err.type === 'StripeInvalidRequestError') {
    log.warn({ param: err.param, statusCode: err.statusCode }, 'Stripe refused the checkout session');
    return new ValidationError(`the payment could not be started: ${err.message ?? 'refused by Stripe'}`);
  }
  if (err.type === 'StripeIdempotencyError')
    return new ConflictError('this payment was already started; reload the page to pay again');
  log.error({ type: err.type, statusCode: err.statusCode }, 'Stripe unavailable for checkout');
  return new PaymentProviderError(
    'online payment is unavailable right now; please try again in a few minutes',
  );
}
