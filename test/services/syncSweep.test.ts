import { syncSweepJob } from '../../jobs/definitions/syncSweep';
import { SYNC_CONNECTION_JOB } from '../../jobs/definitions/syncConnection';
import { connections } from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { getLogger } from '../../src/logging/logger';
import { createOrganization } from '../../src/services/organizations';
import { createTestApp, type TestApp } from '../support/app';

/** The scheduled incremental sync: the catch-up for anything a webhook missed. */
describe('sync sweep', () => {
  let t: TestApp;
  const ids: Record<string, string> = {};
  const orgs: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp({ now: () => new Date('2026-11-20T10:10:00Z') });
    orgs.a = (await createOrganization(t.app.db, { name: 'Sweep A' })).id;
    orgs.b = (await createOrganization(t.app.db, { name: 'Sweep B' })).id;
    const add = async (
      key: string,
      org: string,
      platform: 'quickbooks' | 'xero',
      status: 'connected' | 'needs_reconnect' | 'disconnected',
    ) => {
      const [row] = await new OrgScope(t.app.db, org)
        .insert(connections, { platform, externalTenantId: `tenant-${key}`, status })
        .returning({ id: connections.id });
      ids[key] = row!.id;
    };
    await add('qb', orgs.a!, 'quickbooks', 'connected');
    await add('xero', orgs.b!, 'xero', 'connected');
    await add('broken', orgs.b!, 'quickbooks', 'needs_reconnect');
    await add('gone', orgs.a!, 'xero', 'disconnected');
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await t.close();
  });

  it('queues one incremental sync per connected company, once per half hour, skipping broken and disconnected ones', async () => {
    const queued = new Map<string, unknown>();
    const calls: { name: string; payload: unknown; jobId: string | undefined }[] = [];
    jest.spyOn(t.app.queue, 'enqueue').mockImplementation(async (name, payload, opts) => {
      const id = opts?.jobId ?? `${calls.length}`;
      calls.push({ name, payload, jobId: opts?.jobId });
      const added = !queued.has(id);
      queued.set(id, payload);
      return { id, added };
    });
    const ctx = { app: t.app, jobId: 'sweep-test', attempt: 1, logger: getLogger('test') };
    await syncSweepJob.handler({}, ctx);
    await syncSweepJob.handler({}, ctx);

    expect(new Set(calls.map((c) => c.name))).toEqual(new Set([SYNC_CONNECTION_JOB]));
    expect([...queued.values()]).toEqual(
      expect.arrayContaining([
        { organizationId: orgs.a, connectionId: ids.qb, mode: 'incremental', trigger: 'schedule' },
        { organizationId: orgs.b, connectionId: ids.xero, mode: 'incremental', trigger: 'schedule' },
      ]),
    );
    // the second sweep in the same slot asks for the same jobs: nothing doubles up
    expect(queued.size).toBe(2);
    expect(calls).toHaveLength(4);
    const payloads = calls.map((c) => (c.payload as { connectionId: string }).connectionId);
    expect(payloads).not.toContain(ids.broken);
    expect(payloads).not.toContain(ids.gone);
  });
});
