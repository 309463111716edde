/**
 * Pre-aggregated report figures. A snapshot is keyed by (firm, report, as-of date) and remembers
 * the firm's ledger version (bumped by triggers on every change to invoices, payments,
 * allocations and credit notes, whatever wrote them) read *before* computing: a snapshot is used
 * only while that version is still current, so a change racing with the computation can only
 * make it recompute, never serve stale figures. A job refreshes them after each sync, so the
 * dashboard reads one row.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client';
import { ledgerVersions, reportSnapshots } from '../../db/schema';
import type { OrgScope } from '../../db/scope';

export async function ledgerVersion(db: Queryable, organizationId: string): Promise<number> {
  const [row] = await db
    .select({ version: ledgerVersions.version })
    .from(ledgerVersions)
    .where(eq(ledgerVersions.organizationId, organizationId));
  return row?.version ?? 0;
}

/** The snapshot of `report` for `asOf` if still current, else compute it, store it and return it. */
export async function cachedReport<T extends object>(
  scope: OrgScope,
  report: string,
  asOf: string,
  compute: () => Promise<T>,
): Promise<T> {
  const version = await ledgerVersion(scope.db, scope.organizationId);
  const [hit] = await scope.db
    .select({ data: reportSnapshots.data, ledgerVersion: reportSnapshots.ledgerVersion })
    .from(reportSnapshots)
    .where(
      and(
        eq(reportSnapshots.organizationId, scope.organizationId),
        eq(reportSnapshots.report, report),
        eq(reportSnapshots.asOf, asOf),
      ),
    );
  if (hit && hit.ledgerVersion === version) return hit.data as T;
  const data = await compute();
  await scope.db
    .insert(reportSnapshots)
    .values({
      organizationId: scope.organizationId,
      report,
      asOf,
      data: data as Record<string, unknown>,
      ledgerVersion: version,
    })
    .onConflictDoUpdate({
      target: [reportSnapshots.organizationId, reportSnapshots.report, reportSnapshots.asOf],
      set: { data: data as Record<string, unknown>, ledgerVersion: version, computedAt: sql`now()` },
    });
  // older days' snapshots of this report are never read again
  await scope.db
    .delete(reportSnapshots)
    .where(
      and(
        eq(reportSnapshots.organizationId, scope.organizationId),
        eq(reportSnapshots.report, report),
        sql`${reportSnapshots.asOf} < ${asOf}::date - 7`,
      ),
    );
  return data;
}
