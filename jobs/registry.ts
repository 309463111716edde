import type { AppContext } from '../src/app/context';
import type { JobDefinition } from '../src/queue/types';
import { pruneSessionsJob } from './definitions/pruneSessions';
import { sendEmailJob } from './definitions/sendEmail';

/** Every job this app knows. A job not listed here cannot be enqueued. */
export const ALL_JOBS = [sendEmailJob, pruneSessionsJob] as unknown as JobDefinition<unknown, AppContext>[];
