import crypto from 'node:crypto';
import pino from 'pino';
import { BullMqQueue } from '../../src/queue/bullmq';
import { InProcessQueue } from '../../src/queue/inProcess';
import type { JobDefinition, QueueDriver } from '../../src/queue/types';

export type DriverName = 'in-process' | 'bullmq';

/** The drivers to run a queue test on: always in-process; BullMQ too when REDIS_URL is set (CI). */
export function queueDrivers(): DriverName[] {
  return process.env.REDIS_URL ? ['in-process', 'bullmq'] : ['in-process'];
}

export function makeQueue<C>(driver: DriverName, defs: JobDefinition<never, C>[], app: C): QueueDriver {
  const logger = pino({ level: 'silent' });
  const d = defs as unknown as JobDefinition<unknown, C>[];
  if (driver === 'bullmq') {
    return new BullMqQueue(d, app, logger, {
      url: process.env.REDIS_URL!,
      prefix: `t${crypto.randomBytes(4).toString('hex')}`,
    });
  }
  return new InProcessQueue(d, app, logger);
}
