import type { AppContext } from '../../app/context';
import { OrgScope } from '../../db/scope';
import { getLogger } from '../../logging/logger';
import { agingReport } from './aging';
import { metricsReport } from './metrics';

const log = getLogger('reports');

/**
 * Compute the dashboard's default figures ahead of the next visit (after a sync changed the
 * ledger). Best effort: a failure only means the dashboard computes them on its next view.
 */
export async function refreshDashboardReports(app: AppContext, organizationId: string): Promise<void> {
  const scope = new OrgScope(app.db, organizationId);
  try {
    await agingReport(scope, { now: app.now() });
    await metricsReport(scope, { now: app.now() });
  } catch (err) {
    log.warn({ organizationId, err }, 'pre-computing the dashboard figures failed');
  }
}
