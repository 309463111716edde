import type { AppContext } from '../src/app/context';
import type { JobDefinition } from '../src/queue/types';
import { keepConnectionsAliveJob } from './definitions/keepConnectionsAlive';
import { processWebhooksJob } from './definitions/processWebhooks';
import { promisesEvaluateJob, promisesSweepJob } from './definitions/promises';
import { pruneSessionsJob } from './definitions/pruneSessions';
import { remindersRunJob, remindersSweepJob } from './definitions/reminders';
import { emailSweepJob, sendEmailJob } from './definitions/sendEmail';
import { syncConnectionJob } from './definitions/syncConnection';
import { syncSweepJob } from './definitions/syncSweep';
import { writeBackJob, writeBackSweepJob } from './definitions/writeBack';

/** Every job this app knows. A job not listed here cannot be enqueued. */
export const ALL_JOBS = [
  sendEmailJob,
  emailSweepJob,
  pruneSessionsJob,
  syncConnectionJob,
  syncSweepJob,
  keepConnectionsAliveJob,
  processWebhooksJob,
  writeBackJob,
  writeBackSweepJob,
  remindersSweepJob,
  remindersRunJob,
  promisesEvaluateJob,
  promisesSweepJob,
] as unknown as JobDefinition<unknown, AppContext>[];
