import { z } from 'zod';
import { ConnectorError } from '../../connectors/errors';
import type { AppContext } from '../../src/app/context';
import { DelayJobError, PermanentJobError, type JobDefinition } from '../../src/queue/types';
import { markNeedsReconnect } from '../../src/services/connections/health';
import { processWebhookEvents } from '../../src/services/webhooks/process';
import { PROCESS_WEBHOOK_JOB } from '../../src/services/webhooks/receive';

/**
 * Fetch and write what the webhook notifications of one connection announced. A platform rate
 * limit (Xero's day limit nearly spent) postpones the job without spending an attempt: the
 * events stay pending until then. A platform that refuses the connection (Xero answers 403 once
 * the organisation removed the app) marks it as needing reconnection; retrying cannot help.
 */
export const processWebhooksJob: JobDefinition<{ connectionId: string }, AppContext> = {
  name: PROCESS_WEBHOOK_JOB,
  payload: z.object({ connectionId: z.string().uuid() }),
  attempts: 5,
  backoffMs: 30_000,
  concurrency: 2,
  async handler({ connectionId }, { app, logger }) {
    try {
      const r = await processWebhookEvents(app, connectionId);
      logger.info({ connectionId, ...r }, 'webhook changes applied');
    } catch (e) {
      if (e instanceof ConnectorError && e.kind === 'rate_limited')
        throw new DelayJobError(e.details.retryAfterMs ?? 60_000, 'platform rate limit');
      if (e instanceof ConnectorError && e.kind === 'needs_reconnect') {
        await markNeedsReconnect(app, connectionId, e.message);
        throw new PermanentJobError(e.message);
      }
      throw e;
    }
  },
};
