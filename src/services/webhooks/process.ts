import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { AppContext } from '../../app/context';
import type { EntityKind, EntityRef } from '../../../connectors/types';
import { connections, invoices, webhookEvents } from '../../db/schema';
import { connectorContext } from '../connections/context';
import { ingestBatch } from '../sync/ingest';

const BATCH = 1000;

/**
 * Fetch what the notifications of one connection say changed, in batches per the platform's
 * limits (the connector batches ids), write it, and mark the events done. Deletions need no
 * fetch: the record is gone at the platform.
 */
export async function processWebhookEvents(
  app: AppContext,
  connectionId: string,
): Promise<{ fetched: number; deleted: number }> {
  const [conn] = await app.db.select().from(connections).where(eq(connections.id, connectionId));
  if (!conn || conn.status !== 'connected') return { fetched: 0, deleted: 0 };
  let fetched = 0;
  let deleted = 0;
  for (;;) {
    const pending = await app.db
      .select()
      .from(webhookEvents)
      .where(and(eq(webhookEvents.connectionId, connectionId), isNull(webhookEvents.processedAt)))
      .limit(BATCH);
    if (!pending.length) break;
    const deletes = pending
      .filter((e) => e.entity === 'invoices' && e.operation === 'delete')
      .map((e) => e.externalId);
    if (deletes.length) {
      await app.db
        .update(invoices)
        .set({ status: 'deleted', balance: '0', updatedAt: new Date() })
        .where(
          and(
            eq(invoices.organizationId, conn.organizationId),
            eq(invoices.connectionId, conn.id),
            inArray(invoices.externalId, deletes),
          ),
        );
      deleted += deletes.length;
    }
    const refs = new Map<string, EntityRef>();
    for (const e of pending) {
      if (e.entity === 'other' || (e.entity === 'invoices' && e.operation === 'delete')) continue;
      refs.set(`${e.entity}|${e.externalId}`, { entity: e.entity as EntityKind, externalId: e.externalId });
    }
    if (refs.size) {
      const ctx = connectorContext(app, conn);
      for await (const batch of app.connectors.get(conn.platform).fetchRecords(ctx, [...refs.values()])) {
        await app.db.transaction(async (tx) => {
          await ingestBatch({ db: tx, organizationId: conn.organizationId, connectionId: conn.id }, batch);
        });
      }
      fetched += refs.size;
    }
    await app.db
      .update(webhookEvents)
      .set({ processedAt: new Date() })
      .where(
        inArray(
          webhookEvents.id,
          pending.map((e) => e.id),
        ),
      );
  }
  return { fetched, deleted };
}
