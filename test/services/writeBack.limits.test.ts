import { eq } from 'drizzle-orm';
import { rateLimitedError, validationError } from '../../connectors/errors';
import type { AccountingConnector, WriteNoteRequest } from '../../connectors/types';
import { connections, writeBacks } from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { queueInvoiceNote, runWriteBack } from '../../src/services/writeBack/queue';
import { createTestApp, type TestApp } from '../support/app';
import { seedFirm, type Firm } from '../support/tenancy';

/**
 * Notes written back to the books (promise made/kept/broken, dispute events, portal payments) go
 * through one row per idempotency key and the write-back job: the platform's rate limit postpones
 * a note by the time it asks for, a note the platform refuses fails for good with the reason, a
 * disconnected firm's notes wait, and nothing is ever written twice.
 */
describe('write-back of invoice notes: idempotent and rate-limited', () => {
  let t: TestApp;
  let f: Firm;
  const written: WriteNoteRequest[] = [];
  let limitedOnce = true;

  const books = {
    platform: 'quickbooks',
    displayName: 'QuickBooks (test double)',
    oauth: { authorizationUrl: () => 'https://appcenter.intuit.com/connect/oauth2' },
    async writeNote(_ctx: unknown, req: WriteNoteRequest) {
      if (req.text.includes('refused')) throw validationError('Note: text too long for the platform');
      if (limitedOnce) {
        limitedOnce = false;
        throw rateLimitedError('rate limited for 60s', 60_000);
      }
      written.push(req);
      return { externalId: `note-${written.length}` };
    },
  } as unknown as AccountingConnector;

  beforeAll(async () => {
    t = await createTestApp({ connectors: [books] });
    f = await seedFirm(t.app, 'Write Back Limits');
  });
  afterAll(() => t.close());

  const scope = () => new OrgScope(t.app.db, f.id);
  const row = async (id: string) =>
    (await t.app.db.select().from(writeBacks).where(eq(writeBacks.id, id)))[0]!;

  it('the same note queued twice is one row; a 429 postpones it by the time asked; then it is written once', async () => {
    const note = {
      invoiceId: f.invoiceId,
      text: 'Promise to pay USD 1,200.00 by 2026-12-04 (portal)',
      idempotencyKey: 'promise-1-made',
    };
    const id = await queueInvoiceNote(t.app, scope(), note);
    expect(await queueInvoiceNote(t.app, scope(), note)).toBe(id);
    await t.app.queue.drain();
    const rows = await t.app.db.select().from(writeBacks).where(eq(writeBacks.organizationId, f.id));
    expect(rows).toHaveLength(1);

    const postponed = await row(id);
    expect(postponed).toMatchObject({ status: 'pending', attempts: 1, lastError: 'rate limited for 60s' });
    const waitMs = postponed.nextAttemptAt.getTime() - Date.now();
    expect(waitMs).toBeGreaterThan(45_000);
    expect(waitMs).toBeLessThanOrEqual(60_000);
    expect(written).toEqual([]);

    // the minute has passed (the job, or the sweep, runs it again)
    expect(await runWriteBack(t.app, id)).toEqual({ outcome: 'done' });
    expect(await runWriteBack(t.app, id)).toEqual({ outcome: 'already_done' });
    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject({
      invoiceExternalId: '100',
      text: note.text,
      idempotencyKey: 'promise-1-made',
    });
    expect(await row(id)).toMatchObject({ status: 'done', externalId: 'note-1', lastError: null });
    // queued again after it was written: still one row, nothing sent again
    expect(await queueInvoiceNote(t.app, scope(), note)).toBe(id);
    await t.app.queue.drain();
    expect(written).toHaveLength(1);
  });

  it('a note the platform refuses fails for good with its reason and is not retried', async () => {
    const id = await queueInvoiceNote(t.app, scope(), {
      invoiceId: f.invoiceId,
      text: 'A note the platform refused',
      idempotencyKey: 'dispute-1-opened',
    });
    await t.app.queue.drain();
    expect(await row(id)).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: 'Note: text too long for the platform',
    });
    expect(await runWriteBack(t.app, id)).toEqual({ outcome: 'already_done' });
    expect(written).toHaveLength(1);
  });

  it('waits while the connection needs reconnecting, without spending an attempt on the platform', async () => {
    await t.app.db
      .update(connections)
      .set({ status: 'needs_reconnect' })
      .where(eq(connections.id, f.connectionId));
    const id = await queueInvoiceNote(t.app, scope(), {
      invoiceId: f.invoiceId,
      text: 'Promise kept',
      idempotencyKey: 'promise-1-kept',
    });
    await t.app.queue.drain();
    expect(await row(id)).toMatchObject({ status: 'pending', lastError: 'connection is not connected' });
    expect(written).toHaveLength(1);

    await t.app.db.update(connections).set({ status: 'connected' }).where(eq(connections.id, f.connectionId));
    expect(await runWriteBack(t.app, id)).toEqual({ outcome: 'done' });
    expect(written.map((w) => w.idempotencyKey)).toEqual(['promise-1-made', 'promise-1-kept']);
  });
});
