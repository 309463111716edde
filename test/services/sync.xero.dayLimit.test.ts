import { eq } from 'drizzle-orm';
import { type XeroEmulator } from '../../connectors/xero/emulator';
import { processWebhooksJob } from '../../jobs/definitions/processWebhooks';
import { syncConnectionJob } from '../../jobs/definitions/syncConnection';
import { connections, invoices, organizations, syncRuns, webhookEvents } from '../../src/db/schema';
import { getLogger } from '../../src/logging/logger';
import { DelayJobError } from '../../src/queue/types';
import { runSync } from '../../src/services/sync/runSync';
import { type TestApp } from '../support/app';
import { xeroFirm } from '../support/xeroFirm';

/** Xero's 5,000 calls a day per organisation: a nearly spent day postpones work instead of failing it. */
describe('Xero day limit inside Duely', () => {
  let emu: XeroEmulator;
  let t: TestApp;
  let orgId: string;
  let connectionId: string;
  const ctx = () => ({ app: t.app, jobId: 'day-limit-test', attempt: 1, logger: getLogger('test') });

  beforeAll(async () => {
    ({ emu, t, orgId, connectionId } = await xeroFirm({
      name: 'Busy Day Ltd',
      company: { seed: 23, customers: 6, invoices: 20 },
    }));
    const full = await runSync(t.app, { organizationId: orgId, connectionId, mode: 'full', trigger: 'cli' });
    expect(full.status).toBe('succeeded');
  });
  afterAll(async () => {
    await t.close();
    await emu.close();
  });

  it('records the scheduled sync as postponed, keeps the connection and automation, and reschedules the job', async () => {
    emu.setDayRemaining(100);
    const s = await runSync(t.app, {
      organizationId: orgId,
      connectionId,
      mode: 'incremental',
      trigger: 'schedule',
    });
    expect(s.status).toBe('postponed');
    expect(s.retryAfterMs).toBeGreaterThan(0);
    const [run] = await t.app.db.select().from(syncRuns).where(eq(syncRuns.id, s.syncRunId));
    expect(run!.status).toBe('postponed');
    const [conn] = await t.app.db.select().from(connections).where(eq(connections.id, connectionId));
    expect(conn!.status).toBe('connected');
    const [org] = await t.app.db.select().from(organizations).where(eq(organizations.id, orgId));
    expect(org!.automationHeldReason).toBeNull();

    const job = syncConnectionJob.handler(
      { organizationId: orgId, connectionId, mode: 'incremental', trigger: 'schedule' },
      ctx(),
    );
    await expect(job).rejects.toBeInstanceOf(DelayJobError);
    await expect(job).rejects.toMatchObject({ delayMs: expect.any(Number) });
  });

  it('postpones fetching webhook changes, keeping the events pending until Xero allows it', async () => {
    const [inv] = await t.app.db.select().from(invoices).where(eq(invoices.organizationId, orgId)).limit(1);
    await t.app.db.insert(webhookEvents).values({
      platform: 'xero',
      eventId: `${connectionId}:day-limit-event`,
      organizationId: orgId,
      connectionId,
      entity: 'invoices',
      externalId: inv!.externalId,
      operation: 'update',
    });
    await expect(processWebhooksJob.handler({ connectionId }, ctx())).rejects.toBeInstanceOf(DelayJobError);
    const pending = await t.app.db
      .select()
      .from(webhookEvents)
      .where(eq(webhookEvents.connectionId, connectionId));
    expect(pending.map((e) => e.processedAt)).toEqual([null]);
  });
});
