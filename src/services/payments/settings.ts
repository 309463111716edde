/**
 * Where the books file a payment taken online, kept in `organizations.settings.payments`:
 * - `xeroAccountCode`: the Xero bank account (its code, e.g. "090", or its AccountID) that
 *   receives Stripe payouts. Xero cannot record a payment without one, and there is no safe
 *   default (a wrong bank account would misstate the firm's books), so until the firm chooses it
 *   a Xero payment write-back fails with a clear reason and is released when the firm saves it.
 * - `quickbooksDepositAccountId`: the QuickBooks account a payment is deposited to; optional
 *   (unset, QuickBooks files it under Undeposited Funds, its own default).
 */
import { and, eq, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { AppContext } from '../../app/context';
import { connections, writeBacks } from '../../db/schema';
import type { OrgScope } from '../../db/scope';
import { getLogger } from '../../logging/logger';
import { audit, type Actor } from '../audit';
import { ValidationError, zodMessage } from '../errors';
import { setGroup } from '../settings/store';
import { WRITE_BACK_JOB } from '../writeBack/queue';

const log = getLogger('payments');
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const blankToNull = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? null : v);

export const paymentSettingsSchema = z.strictObject({
  xeroAccountCode: z.preprocess(
    blankToNull,
    z
      .string()
      .trim()
      .refine((v) => /^[A-Za-z0-9._-]{1,10}$/.test(v) || GUID.test(v), {
        message: 'must be a Xero account code (up to 10 letters or digits, e.g. 090) or an AccountID',
      })
      .nullable()
      .default(null),
  ),
  quickbooksDepositAccountId: z.preprocess(
    blankToNull,
    z
      .string()
      .trim()
      .regex(/^\d{1,20}$/, 'must be a QuickBooks account id (digits)')
      .nullable()
      .default(null),
  ),
});

export type PaymentSettings = z.infer<typeof paymentSettingsSchema>;

/** The firm's payment settings; a stored value that no longer validates counts as unset. */
export function firmPaymentSettings(settings: Record<string, unknown> | null | undefined): PaymentSettings {
  const r = paymentSettingsSchema.safeParse(settings?.payments ?? {});
  return r.success ? r.data : paymentSettingsSchema.parse({});
}

/** The account reference a payment write-back carries for a platform (null: none chosen). */
export function accountRefFor(platform: string, s: PaymentSettings): string | null {
  if (platform === 'xero') return s.xeroAccountCode;
  if (platform === 'quickbooks') return s.quickbooksDepositAccountId;
  return null;
}

/**
 * Save the firm's payment settings (validated; audited). Xero payment write-backs that failed
 * for want of a bank account are given the new one and sent again.
 */
export async function updatePaymentSettings(
  app: AppContext,
  scope: OrgScope,
  input: unknown,
  actor: Actor,
): Promise<{ settings: PaymentSettings; released: number }> {
  const parsed = paymentSettingsSchema.safeParse(input);
  if (!parsed.success) {
    const { message, field } = zodMessage(parsed.error);
    throw new ValidationError(message.replace(/^[^:]+: /, ''), field);
  }
  await setGroup(app.db, scope.organizationId, 'payments', parsed.data);
  await audit(scope, actor, 'settings.payments.updated', null, { ...parsed.data });
  const released = parsed.data.xeroAccountCode
    ? await releaseHeldXeroPayments(app, scope, parsed.data.xeroAccountCode)
    : 0;
  return { settings: parsed.data, released };
}

/** Payment write-backs to a Xero connection of the firm that failed for want of a bank account. */
function heldXeroPayments(scope: OrgScope) {
  const xeroConnections = scope.db
    .select({ id: connections.id })
    .from(connections)
    .where(and(eq(connections.organizationId, scope.organizationId), eq(connections.platform, 'xero')));
  return and(
    eq(writeBacks.organizationId, scope.organizationId),
    eq(writeBacks.kind, 'payment'),
    eq(writeBacks.status, 'failed'),
    sql`${writeBacks.connectionId} in ${xeroConnections}`,
    sql`coalesce(${writeBacks.payload}->>'accountRef', '') = ''`,
    isNull(writeBacks.doneAt),
  );
}

/** How many payments taken online wait for the firm to choose its Xero bank account. */
export async function countHeldXeroPayments(scope: OrgScope): Promise<number> {
  const [row] = await scope.db
    .select({ n: sql<number>`count(*)::int` })
    .from(writeBacks)
    .where(heldXeroPayments(scope));
  return Number(row?.n ?? 0);
}

async function releaseHeldXeroPayments(app: AppContext, scope: OrgScope, account: string): Promise<number> {
  const rows = await scope.db
    .update(writeBacks)
    .set({
      status: 'pending',
      payload: sql`${writeBacks.payload} || jsonb_build_object('accountRef', ${account}::text)`,
      lastError: null,
      nextAttemptAt: new Date(),
    })
    .where(heldXeroPayments(scope))
    .returning({ id: writeBacks.id, attempts: writeBacks.attempts });
  for (const r of rows)
    await app.queue.enqueue(WRITE_BACK_JOB, { writeBackId: r.id }, { jobId: `wb-${r.id}-${r.attempts}` });
  if (rows.length)
    log.info({ organizationId: scope.organizationId, released: rows.length }, 'held Xero payments released');
  return rows.length;
}
