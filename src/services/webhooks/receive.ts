import type { IncomingHttpHeaders } from 'node:http';
import { and, eq, inArray } from 'drizzle-orm';
import type { AppContext } from '../../app/context';
import type { Platform } from '../../../connectors/types';
import { bulkUpsert } from '../../db/bulk';
import { connections, webhookEvents } from '../../db/schema';
import { getLogger } from '../../logging/logger';
import { SlotJobs } from './slotJobs';

export const PROCESS_WEBHOOK_JOB = 'webhook.process';
const log = getLogger('webhooks');

function secretFor(app: AppContext, platform: Platform): string | undefined {
  return platform === 'quickbooks'
    ? app.config.QUICKBOOKS_WEBHOOK_VERIFIER_TOKEN
    : app.config.XERO_WEBHOOK_KEY;
}

type ConnRef = { id: string; organizationId: string; externalTenantId: string };
/** Tenant → connections, cached briefly: a burst of notifications costs one lookup. */
const cache = new Map<string, { at: number; conns: ConnRef[] }>();
const CACHE_MS = 10_000;
/** Notifications of one connection within this window share one processing job. */
const SLOT_MS = 5000;

async function connectionsFor(app: AppContext, platform: Platform, tenants: string[]): Promise<ConnRef[]> {
  const now = Date.now();
  const missing = tenants.filter((t) => {
    const hit = cache.get(`${platform}|${t}`);
    return !hit || now - hit.at > CACHE_MS;
  });
  if (missing.length) {
    const found = await app.db
      .select({
        id: connections.id,
        organizationId: connections.organizationId,
        externalTenantId: connections.externalTenantId,
      })
      .from(connections)
      .where(
        and(
          eq(connections.platform, platform),
          inArray(connections.externalTenantId, missing),
          eq(connections.status, 'connected'),
        ),
      );
    for (const t of missing)
      cache.set(`${platform}|${t}`, { at: now, conns: found.filter((c) => c.externalTenantId === t) });
    if (cache.size > 10_000) cache.clear();
  }
  return tenants.flatMap((t) => cache.get(`${platform}|${t}`)?.conns ?? []);
}

/** Per queue (tests run several apps in one process), the slot jobs this process queued. */
const slotJobsByQueue = new WeakMap<object, SlotJobs>();

function slotJobsFor(app: AppContext): SlotJobs {
  let jobs = slotJobsByQueue.get(app.queue);
  if (!jobs) {
    jobs = new SlotJobs({ slotMs: SLOT_MS, delayMs: 2000, startMarginMs: 500 });
    slotJobsByQueue.set(app.queue, jobs);
  }
  return jobs;
}

/**
 * Verify, parse, deduplicate by event id, and enqueue one processing job per connection.
 * Nothing is fetched from the platform here: the platforms want an answer within seconds.
 */
export async function receiveWebhook(
  app: AppContext,
  platform: Platform,
  body: Buffer,
  headers: IncomingHttpHeaders,
): Promise<'ok' | 'unauthorized'> {
  const connector = app.connectors.get(platform);
  const secret = secretFor(app, platform);
  const header = headers[connector.webhooks.signatureHeader];
  const signature = Array.isArray(header) ? header[0] : header;
  if (!secret || !connector.webhooks.verify(body, signature, secret)) return 'unauthorized';
  const events = connector.webhooks.parse(body);
  if (events.length === 0) return 'ok'; // Xero intent-to-receive
  const conns = await connectionsFor(app, platform, [...new Set(events.map((e) => e.externalTenantId))]);
  const byTenant = new Map<string, typeof conns>();
  for (const c of conns) byTenant.set(c.externalTenantId, [...(byTenant.get(c.externalTenantId) ?? []), c]);
  const touched = new Set<string>();
  const rows: (typeof webhookEvents.$inferInsert)[] = [];
  for (const e of events) {
    for (const c of byTenant.get(e.externalTenantId) ?? []) {
      rows.push({
        platform,
        eventId: `${c.id}:${e.eventId}`,
        organizationId: c.organizationId,
        connectionId: c.id,
        entity: e.entity,
        externalId: e.externalId,
        operation: e.operation,
      });
      touched.add(c.id);
    }
  }
  // one statement, one round trip, no wait for the WAL flush: a row lost to a crash is recovered
  // by the next scheduled incremental sync, and the platforms resend what was not acknowledged
  await bulkUpsert(app.db, webhookEvents, rows, {
    conflict: [webhookEvents.platform, webhookEvents.eventId],
    ignore: true,
    asyncCommit: true,
  });
  const slotJobs = slotJobsFor(app);
  for (const connectionId of touched)
    await slotJobs.ensure(connectionId, (jobId, delayMs) =>
      app.queue.enqueue(PROCESS_WEBHOOK_JOB, { connectionId }, { jobId, delayMs }),
    );
  log.info({ platform, events: events.length, connections: touched.size }, 'webhook accepted');
  return 'ok';
}
