import { and, eq, inArray, isNull, lte, sql } from 'drizzle-orm';
import type { AppContext } from '../../app/context';
import { ConnectorError } from '../../../connectors/errors';
import type { CanonicalAllocation } from '../../../connectors/types';
import { connections, invoices, payments, writeBacks } from '../../db/schema';
import type { OrgScope } from '../../db/scope';
import { getLogger } from '../../logging/logger';
import { connectorContext } from '../connections/context';
import { NotFoundError } from '../errors';

export const WRITE_BACK_JOB = 'writeback.run';
const log = getLogger('writeback');
const MAX_ATTEMPTS = 8;

export interface NotePayload {
  invoiceExternalId: string;
  text: string;
}

export interface PaymentPayload {
  customerExternalId: string;
  date: string;
  currency: string;
  amount: string;
  allocations: CanonicalAllocation[];
  reference: string | null;
  accountRef: string | null;
}

/**
 * Record a note for an invoice's history in the books (a row first, keyed for idempotency),
 * then enqueue it. The same key twice is one note.
 */
export async function queueInvoiceNote(
  app: AppContext,
  scope: OrgScope,
  p: { invoiceId: string; text: string; idempotencyKey: string },
): Promise<string> {
  const inv = await scope.findById(invoices, p.invoiceId);
  if (!inv) throw new NotFoundError('invoice');
  const payload: NotePayload = { invoiceExternalId: inv.externalId, text: p.text };
  return insertAndEnqueue(app, scope, {
    connectionId: inv.connectionId,
    kind: 'note',
    idempotencyKey: p.idempotencyKey,
    invoiceId: inv.id,
    payload: payload as unknown as Record<string, unknown>,
  });
}

/** Record a payment taken outside the books (portal) to be written back, once per key. */
export async function queuePaymentWriteBack(
  app: AppContext,
  scope: OrgScope,
  p: { connectionId: string; paymentId: string; payment: PaymentPayload; idempotencyKey: string },
): Promise<string> {
  return insertAndEnqueue(app, scope, {
    connectionId: p.connectionId,
    kind: 'payment',
    idempotencyKey: p.idempotencyKey,
    paymentId: p.paymentId,
    payload: p.payment as unknown as Record<string, unknown>,
  });
}

async function insertAndEnqueue(
  app: AppContext,
  scope: OrgScope,
  row: {
    connectionId: string;
    kind: 'note' | 'payment';
    idempotencyKey: string;
    invoiceId?: string;
    paymentId?: string;
    payload: Record<string, unknown>;
  },
): Promise<string> {
  await scope.insert(writeBacks, row).onConflictDoNothing();
  const [saved] = await scope.select(writeBacks, eq(writeBacks.idempotencyKey, row.idempotencyKey));
  // A row already postponed (the platform's rate limit, a backoff) keeps its time: queueing the
  // same key again must not send it sooner.
  if (saved!.status === 'pending')
    await app.queue.enqueue(
      WRITE_BACK_JOB,
      { writeBackId: saved!.id },
      {
        jobId: `wb-${saved!.id}-${saved!.attempts}`,
        delayMs: Math.max(0, saved!.nextAttemptAt.getTime() - Date.now()),
      },
    );
  return saved!.id;
}

export type WriteBackOutcome = 'done' | 'already_done' | 'retry' | 'failed' | 'held';

/**
 * Carry out one write-back: claim the row (two workers never both write), call the connector
 * with the row's idempotency key (the platform dedupes a retried write), record the result.
 */
export async function runWriteBack(
  app: AppContext,
  writeBackId: string,
): Promise<{ outcome: WriteBackOutcome; retryInMs?: number }> {
  const [row] = await app.db
    .update(writeBacks)
    .set({ status: 'running', attempts: sql`${writeBacks.attempts} + 1` })
    .where(and(eq(writeBacks.id, writeBackId), eq(writeBacks.status, 'pending')))
    .returning();
  if (!row) return { outcome: 'already_done' };
  const [conn] = await app.db.select().from(connections).where(eq(connections.id, row.connectionId));
  if (!conn || conn.status !== 'connected') {
    // held, not failed: it goes out once the firm reconnects (the sweep re-enqueues it)
    await app.db
      .update(writeBacks)
      .set({
        status: 'pending',
        lastError: 'connection is not connected',
        nextAttemptAt: new Date(Date.now() + 3600_000),
      })
      .where(eq(writeBacks.id, row.id));
    return { outcome: 'held' };
  }
  const connector = app.connectors.get(conn.platform);
  const ctx = connectorContext(app, conn);
  try {
    let externalId: string | null = null;
    if (row.kind === 'note') {
      const p = row.payload as unknown as NotePayload;
      externalId = (
        await connector.writeNote(ctx, {
          invoiceExternalId: p.invoiceExternalId,
          text: p.text,
          idempotencyKey: row.idempotencyKey,
        })
      ).externalId;
    } else {
      const p = row.payload as unknown as PaymentPayload;
      externalId = (await connector.createPayment(ctx, { ...p, idempotencyKey: row.idempotencyKey }))
        .externalId;
    }
    await app.db
      .update(writeBacks)
      .set({ status: 'done', externalId, doneAt: new Date(), lastError: null })
      .where(eq(writeBacks.id, row.id));
    if (row.kind === 'payment' && row.paymentId && externalId)
      await linkPortalPayment(app, row.organizationId, row.connectionId, row.paymentId, externalId);
    return { outcome: 'done' };
  } catch (e) {
    const err =
      e instanceof ConnectorError
        ? e
        : new ConnectorError('retryable', e instanceof Error ? e.message : String(e));
    const permanent = err.kind === 'validation' || err.kind === 'permanent' || row.attempts >= MAX_ATTEMPTS;
    const retryInMs =
      err.kind === 'rate_limited'
        ? (err.details.retryAfterMs ?? 60_000)
        : Math.min(3600_000, 30_000 * 2 ** (row.attempts - 1));
    await app.db
      .update(writeBacks)
      .set({
        status: permanent ? 'failed' : 'pending',
        lastError: err.message.slice(0, 1000),
        nextAttemptAt: new Date(Date.now() + retryInMs),
      })
      .where(eq(writeBacks.id, row.id));
    log.warn(
      { writeBackId: row.id, kind: row.kind, errorKind: err.kind, permanent },
      'write-back attempt failed',
    );
    return permanent ? { outcome: 'failed' } : { outcome: 'retry', retryInMs };
  }
}

/**
 * A portal payment written back as one payment in the books takes that payment's id, so the
 * next sync updates this row instead of adding the same money a second time. (Xero records one
 * payment per invoice: a payment of several invoices keeps its own row; the ids are on the
 * write-back.) Never takes an id another row already holds.
 */
async function linkPortalPayment(
  app: AppContext,
  organizationId: string,
  connectionId: string,
  paymentId: string,
  externalId: string,
): Promise<void> {
  if (externalId.includes(',')) return;
  await app.db
    .update(payments)
    .set({ externalId })
    .where(
      and(
        eq(payments.id, paymentId),
        eq(payments.organizationId, organizationId),
        isNull(payments.externalId),
        sql`not exists (select 1 from ${payments} p where p.organization_id = ${organizationId}
              and p.connection_id = ${connectionId} and p.external_id = ${externalId})`,
      ),
    );
}

/** Re-enqueue pending write-backs that are due and have no live job (lost Redis, crash, held). */
export async function sweepWriteBacks(app: AppContext): Promise<number> {
  // a row stuck in running for 15 minutes belongs to a crashed worker: the platform dedupes by key
  await app.db
    .update(writeBacks)
    .set({ status: 'pending' })
    .where(
      and(
        eq(writeBacks.status, 'running'),
        lte(writeBacks.nextAttemptAt, new Date(Date.now() - 15 * 60_000)),
      ),
    );
  const due = await app.db
    .select({ id: writeBacks.id, attempts: writeBacks.attempts })
    .from(writeBacks)
    .where(and(inArray(writeBacks.status, ['pending']), lte(writeBacks.nextAttemptAt, new Date())))
    .limit(1000);
  for (const w of due)
    await app.queue.enqueue(WRITE_BACK_JOB, { writeBackId: w.id }, { jobId: `wb-${w.id}-${w.attempts}` });
  return due.length;
}
