import { z } from 'zod';
import type { AppContext } from '../../src/app/context';
import type { JobDefinition } from '../../src/queue/types';
import { processWebhookEvents } from '../../src/services/webhooks/process';
import { PROCESS_WEBHOOK_JOB } from '../../src/services/webhooks/receive';

/** Fetch and write what the webhook notifications of one connection announced. */
export const processWebhooksJob: JobDefinition<{ connectionId: string }, AppContext> = {
  name: PROCESS_WEBHOOK_JOB,
  payload: z.object({ connectionId: z.string().uuid() }),
  attempts: 5,
  backoffMs: 30_000,
  concurrency: 2,
  async handler({ connectionId }, { app, logger }) {
    const r = await processWebhookEvents(app, connectionId);
    logger.info({ connectionId, ...r }, 'webhook changes applied');
  },
};
