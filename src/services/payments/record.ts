/**
 * Stripe Checkout events → Duely's records. A paid session becomes, in one transaction: the
 * event's dedup row, the session marked paid (a conditional update: only an open session can
 * be paid), a portal payment with its allocations, the invoices' local balances lowered (paid
 * at zero, so reminders stop at once; the next sync confirms from the books), an activity on the
 * customer's timeline, an audit entry, and the rows of the follow-ups: the receipt e-mail, the
 * payment write-back and a short note per invoice in the books. Their jobs are enqueued after
 * the commit. The same event twice, or two events for one session, record one payment.
 */
import { and, eq, like, sql } from 'drizzle-orm';
import type Stripe from 'stripe';
import type { AppContext } from '../../app/context';
import type { Db } from '../../db/client';
import { localDateOf } from '../../domain/calendar';
import { formatMoney, parseMoney } from '../../domain/money';
import { fromStripeAmount, showMoney } from '../../domain/onlinePayment';
import {
  activities,
  checkoutSessions,
  connections,
  contacts,
  customers,
  emails,
  invoices,
  organizations,
  paymentAllocations,
  payments,
  webhookEvents,
  writeBacks,
  type Branding,
} from '../../db/schema';
import { OrgScope } from '../../db/scope';
import { getLogger } from '../../logging/logger';
import { afterCommitQueue } from '../../queue/afterCommit';
import { audit } from '../audit';
import { queueEmail, SEND_EMAIL_JOB } from '../email';
import { queueInvoiceNote, queuePaymentWriteBack, WRITE_BACK_JOB } from '../writeBack/queue';
import { buildReceipt } from './receipt';
import { accountRefFor, firmPaymentSettings } from './settings';

const log = getLogger('payments');

export type StripeEventOutcome = 'recorded' | 'duplicate' | 'processing' | 'failed' | 'expired' | 'ignored';

export interface StripeEventResult {
  outcome: StripeEventOutcome;
  checkoutId?: string;
  paymentId?: string;
}

type CheckoutRow = typeof checkoutSessions.$inferSelect;
type Session = Stripe.Checkout.Session;

const HANDLED = new Set([
  'checkout.session.completed',
  'checkout.session.async_payment_succeeded',
  'checkout.session.async_payment_failed',
  'checkout.session.expired',
]);

export const receiptKey = (paymentId: string) => `receipt:${paymentId}`;
export const paymentWriteBackKey = (paymentId: string) => `payment:${paymentId}`;
const noteKey = (paymentId: string, invoiceId: string) => `payment:${paymentId}:note:${invoiceId}`;

class Duplicate extends Error {}

/**
 * Handle one verified Stripe event. Events for sessions Duely did not open (another app on the
 * same Stripe account, a deleted firm) are ignored and logged, never an error that Stripe would
 * retry forever. A database failure throws: the webhook answers 500 and Stripe retries.
 */
export async function recordCheckoutPayment(
  app: AppContext,
  event: Stripe.Event,
): Promise<StripeEventResult> {
  if (!HANDLED.has(event.type)) return { outcome: 'ignored' };
  const session = event.data.object as Session;
  if (session?.object !== 'checkout.session' || typeof session.id !== 'string') return { outcome: 'ignored' };
  const [row] = await app.db
    .select()
    .from(checkoutSessions)
    .where(eq(checkoutSessions.providerSessionId, session.id))
    .limit(1);
  if (!row) {
    log.info(
      { eventId: event.id, type: event.type },
      'Stripe event for a session Duely did not open: ignored',
    );
    return { outcome: 'ignored' };
  }
  const claimedOrg = session.metadata?.organizationId;
  if (claimedOrg && claimedOrg !== row.organizationId) {
    log.warn(
      { eventId: event.id, checkoutId: row.id },
      'Stripe session metadata names another firm: ignored',
    );
    return { outcome: 'ignored' };
  }
  const scope = new OrgScope(app.db, row.organizationId);
  const base = { checkoutId: row.id };
  switch (event.type) {
    case 'checkout.session.completed':
      if (session.payment_status === 'paid')
        return { ...base, ...(await recordPaid(app, scope, row, event, session)) };
      return { ...base, outcome: await noteProcessing(scope, row, event, session) };
    case 'checkout.session.async_payment_succeeded':
      return { ...base, ...(await recordPaid(app, scope, row, event, session)) };
    case 'checkout.session.async_payment_failed':
      return { ...base, outcome: await closeUnpaid(scope, row, event, session, 'failed') };
    default:
      return { ...base, outcome: await closeUnpaid(scope, row, event, session, 'expired') };
  }
}

/** The dedup row of the event, in the caller's transaction; throws Duplicate when seen before. */
async function claimEvent(tx: OrgScope, event: Stripe.Event, session: Session, now: Date): Promise<void> {
  const inserted = await tx.db
    .insert(webhookEvents)
    .values({
      platform: 'stripe',
      eventId: event.id,
      organizationId: tx.organizationId,
      entity: 'checkout_session',
      externalId: session.id,
      operation: event.type,
      processedAt: now,
    })
    .onConflictDoNothing()
    .returning({ id: webhookEvents.id });
  if (inserted.length === 0) throw new Duplicate();
}

function paymentIntentId(session: Session): string | null {
  const pi = session.payment_intent;
  return typeof pi === 'string' ? pi : (pi?.id ?? null);
}

async function recordPaid(
  app: AppContext,
  scope: OrgScope,
  row: CheckoutRow,
  event: Stripe.Event,
  session: Session,
): Promise<Omit<StripeEventResult, 'checkoutId'>> {
  const currency = row.currency.toUpperCase();
  const expected = parseMoney(row.amount);
  const charged =
    session.amount_total != null && session.currency
      ? fromStripeAmount(session.amount_total, session.currency)
      : null;
  if (charged !== expected || session.currency?.toUpperCase() !== currency) {
    // never happens with sessions Duely made; if it does, a person must look at it
    log.error(
      { eventId: event.id, checkoutId: row.id },
      'Stripe session amount differs from the checkout: not recorded',
    );
    await audit(
      scope,
      { type: 'system', id: null },
      'payment.amount_mismatch',
      { type: 'checkout_session', id: row.id },
      {
        eventId: event.id,
        expected: row.amount,
        charged: charged === null ? null : formatMoney(charged, currency),
        currency: session.currency ?? null,
      },
    );
    return { outcome: 'ignored' };
  }
  const providerRef = paymentIntentId(session) ?? session.id;
  const method = event.type === 'checkout.session.async_payment_succeeded' ? 'us_bank_account' : 'card';
  const now = app.now();
  const after = afterCommitQueue(app.queue);
  let paymentId: string | null = null;
  try {
    paymentId = await scope.transaction(async (tx) => {
      await claimEvent(tx, event, session, now);
      const paid = await tx
        .update(
          checkoutSessions,
          { status: 'paid', completedAt: now },
          eq(checkoutSessions.id, row.id),
          eq(checkoutSessions.status, 'open'),
        )
        .returning({ id: checkoutSessions.id });
      if (paid.length === 0) throw new Duplicate();

      const [org] = await tx.db.select().from(organizations).where(eq(organizations.id, tx.organizationId));
      const [customer] = await tx.select(customers, eq(customers.id, row.customerId));
      if (!org || !customer) throw new Error('checkout without its firm or customer');
      const date = localDateOf(new Date(event.created * 1000), org.timezone);
      const amount = formatMoney(expected, currency);

      const [payment] = await tx
        .insert(payments, {
          connectionId: customer.connectionId,
          customerId: customer.id,
          date,
          amount,
          currency,
          method,
          reference: providerRef,
          kind: 'payment',
          status: 'active',
          source: 'portal',
          providerRef,
        })
        .onConflictDoNothing()
        .returning({ id: payments.id });
      if (!payment) throw new Duplicate();

      const lines: {
        invoiceId: string;
        externalId: string;
        number: string | null;
        amount: string;
        balanceAfter: string;
      }[] = [];
      for (const a of row.allocations) {
        // in SQL, so a sync writing the same invoice at the same moment cannot be overwritten
        const settles = sql`${invoices.balance} - ${a.amount}::numeric <= 0`;
        const [inv] = await tx.db
          .update(invoices)
          .set({
            balance: sql`greatest(${invoices.balance} - ${a.amount}::numeric, 0)`,
            status: sql`case when ${invoices.status} = 'open' and ${settles} then 'paid' else ${invoices.status} end`,
            paidAt: sql`case when ${settles} then ${now.toISOString()}::timestamptz else ${invoices.paidAt} end`,
            updatedAt: now,
          })
          .where(tx.where(invoices, eq(invoices.id, a.invoiceId)))
          .returning({
            id: invoices.id,
            externalId: invoices.externalId,
            number: invoices.number,
            balance: invoices.balance,
          });
        if (!inv) throw new Error(`checkout ${row.id}: invoice ${a.invoiceId} is gone`);
        lines.push({
          invoiceId: inv.id,
          externalId: inv.externalId,
          number: inv.number,
          amount: a.amount,
          balanceAfter: inv.balance,
        });
      }
      await tx.insert(
        paymentAllocations,
        lines.map((l) => ({
          paymentId: payment.id,
          invoiceId: l.invoiceId,
          invoiceExternalId: l.externalId,
          amount: l.amount,
        })),
      );
      await tx.update(checkoutSessions, { paymentId: payment.id }, eq(checkoutSessions.id, row.id));

      const shown = showMoney(expected, currency);
      const how = method === 'card' ? 'by card' : 'by bank transfer (ACH)';
      await tx.insert(activities, {
        customerId: customer.id,
        kind: 'payment.received',
        actorType: 'customer',
        invoiceIds: lines.map((l) => l.invoiceId),
        body: `Paid ${shown} online ${how} (Stripe ${providerRef})`,
        data: { paymentId: payment.id, checkoutId: row.id, amount, currency, providerRef, method },
      });
      await audit(
        tx,
        { type: 'customer', id: customer.id },
        'payment.received',
        { type: 'payment', id: payment.id },
        {
          checkoutId: row.id,
          amount,
          currency,
          providerRef,
          eventId: event.id,
        },
      );

      const txApp = { ...app, db: tx.db as unknown as Db, queue: after.queue };
      const to = await receiptAddress(tx, customer, session);
      if (to) {
        const branding: Branding = org.branding ?? {};
        const receipt = buildReceipt({
          firm: {
            name: org.name,
            color: branding.color,
            signature: branding.signature,
            replyTo: branding.replyTo,
          },
          customerName: customer.name,
          date,
          currency,
          amount,
          method,
          reference: providerRef,
          lines: lines.map((l) => ({ number: l.number, amount: l.amount, balanceAfter: l.balanceAfter })),
          portalUrl: `${app.config.BASE_URL}/portal`,
        });
        await queueEmail(txApp, {
          organizationId: org.id,
          kind: 'receipt',
          idempotencyKey: receiptKey(payment.id),
          to,
          replyTo: branding.replyTo ?? null,
          subject: receipt.subject,
          text: receipt.text,
          html: receipt.html,
        });
      } else {
        log.warn({ paymentId: payment.id }, 'no address for the receipt: none sent');
      }

      const [conn] = await tx.select(connections, eq(connections.id, customer.connectionId));
      await queuePaymentWriteBack(txApp, tx, {
        connectionId: customer.connectionId,
        paymentId: payment.id,
        idempotencyKey: paymentWriteBackKey(payment.id),
        payment: {
          customerExternalId: customer.externalId,
          date,
          currency,
          amount,
          allocations: lines.map((l) => ({ invoiceExternalId: l.externalId, amount: l.amount })),
          reference: providerRef,
          accountRef: accountRefFor(conn?.platform ?? '', firmPaymentSettings(org.settings)),
        },
      });
      for (const l of lines) {
        await queueInvoiceNote(txApp, tx, {
          invoiceId: l.invoiceId,
          text: `Paid ${showMoney(parseMoney(l.amount), currency)} online ${how} (Stripe ${providerRef}).`,
          idempotencyKey: noteKey(payment.id, l.invoiceId),
        });
      }
      return payment.id;
    });
  } catch (e) {
    if (!(e instanceof Duplicate)) throw e;
    const [current] = await scope.select(checkoutSessions, eq(checkoutSessions.id, row.id));
    if (current?.paymentId) await ensureFollowUps(app, scope, current.paymentId);
    return { outcome: 'duplicate', paymentId: current?.paymentId ?? undefined };
  }
  await after.flush();
  log.info(
    { organizationId: scope.organizationId, paymentId, checkoutId: row.id, method },
    'portal payment recorded',
  );
  return { outcome: 'recorded', paymentId: paymentId ?? undefined };
}

/** The payer's address at Stripe (prefilled from the portal contact), else the billing contact. */
async function receiptAddress(
  tx: OrgScope,
  customer: typeof customers.$inferSelect,
  session: Session,
): Promise<string | null> {
  const valid = (e: string | null | undefined): e is string =>
    !!e && /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(e);
  const fromStripe = session.customer_details?.email ?? session.customer_email;
  if (valid(fromStripe)) return fromStripe;
  const [primary] = await tx.db
    .select({ email: contacts.email })
    .from(contacts)
    .where(
      and(
        eq(contacts.organizationId, tx.organizationId),
        eq(contacts.customerId, customer.id),
        sql`${contacts.erasedAt} is null and ${contacts.email} is not null`,
      ),
    )
    .orderBy(sql`${contacts.isPrimary} desc`, contacts.createdAt)
    .limit(1);
  if (valid(primary?.email)) return primary.email;
  return valid(customer.email) ? customer.email : null;
}

/**
 * A duplicate delivery re-enqueues the follow-ups of the payment it recorded (deterministic job
 * ids: nothing runs twice). This covers a crash between the commit and the enqueue, after which
 * Stripe retries because it never got its 200.
 */
async function ensureFollowUps(app: AppContext, scope: OrgScope, paymentId: string): Promise<void> {
  const pending = await scope.select(
    writeBacks,
    like(writeBacks.idempotencyKey, `${paymentWriteBackKey(paymentId)}%`),
    eq(writeBacks.status, 'pending'),
  );
  for (const w of pending)
    await app.queue.enqueue(WRITE_BACK_JOB, { writeBackId: w.id }, { jobId: `wb-${w.id}-${w.attempts}` });
  const [receipt] = await app.db
    .select({ id: emails.id, status: emails.status })
    .from(emails)
    .where(eq(emails.idempotencyKey, receiptKey(paymentId)));
  if (receipt?.status === 'queued')
    await app.queue.enqueue(SEND_EMAIL_JOB, { emailId: receipt.id }, { jobId: `email-${receipt.id}` });
}

/** Completed but not yet paid (ACH debit in flight): the session stays open; the timeline says so. */
async function noteProcessing(
  scope: OrgScope,
  row: CheckoutRow,
  event: Stripe.Event,
  session: Session,
): Promise<StripeEventOutcome> {
  try {
    await scope.transaction(async (tx) => {
      await claimEvent(tx, event, session, new Date());
      await tx.insert(activities, {
        customerId: row.customerId,
        kind: 'payment.processing',
        actorType: 'customer',
        invoiceIds: row.allocations.map((a) => a.invoiceId),
        body: `Bank payment of ${showMoney(parseMoney(row.amount), row.currency)} started online; it takes a few business days to clear`,
        data: { checkoutId: row.id, amount: row.amount, currency: row.currency },
      });
    });
    return 'processing';
  } catch (e) {
    if (e instanceof Duplicate) return 'duplicate';
    throw e;
  }
}

/** A failed bank debit or an expired session: the checkout closes, nothing is recorded as paid. */
async function closeUnpaid(
  scope: OrgScope,
  row: CheckoutRow,
  event: Stripe.Event,
  session: Session,
  status: 'failed' | 'expired',
): Promise<StripeEventOutcome> {
  try {
    return await scope.transaction(async (tx) => {
      await claimEvent(tx, event, session, new Date());
      const closed = await tx
        .update(
          checkoutSessions,
          { status, completedAt: new Date() },
          eq(checkoutSessions.id, row.id),
          eq(checkoutSessions.status, 'open'),
        )
        .returning({ id: checkoutSessions.id });
      if (closed.length === 0) return 'duplicate' as const;
      if (status === 'failed') {
        await tx.insert(activities, {
          customerId: row.customerId,
          kind: 'payment.failed',
          actorType: 'system',
          invoiceIds: row.allocations.map((a) => a.invoiceId),
          body: `Bank payment of ${showMoney(parseMoney(row.amount), row.currency)} failed; the invoices stay open`,
          data: { checkoutId: row.id, amount: row.amount, currency: row.currency },
        });
        await audit(
          tx,
          { type: 'customer', id: row.customerId },
          'payment.failed',
          { type: 'checkout_session', id: row.id },
          {
            eventId: event.id,
          },
        );
      }
      return status;
    });
  } catch (e) {
    if (e instanceof Duplicate) return 'duplicate';
    throw e;
  }
}
