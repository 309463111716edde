import { desc, eq } from 'drizzle-orm';
import { connections, syncRuns } from '../../db/schema';
import type { OrgScope } from '../../db/scope';

/** Connections for display: never the token columns. */
export async function listConnections(scope: OrgScope) {
  return scope.db
    .select({
      id: connections.id,
      platform: connections.platform,
      externalTenantId: connections.externalTenantId,
      displayName: connections.displayName,
      status: connections.status,
      statusReason: connections.statusReason,
      lastSyncAt: connections.lastSyncAt,
      createdAt: connections.createdAt,
    })
    .from(connections)
    .where(scope.where(connections))
    .orderBy(connections.createdAt);
}

export async function latestSyncRun(scope: OrgScope, connectionId: string) {
  const [run] = await scope.db
    .select()
    .from(syncRuns)
    .where(scope.where(syncRuns, eq(syncRuns.connectionId, connectionId)))
    .orderBy(desc(syncRuns.createdAt))
    .limit(1);
  return run;
}
