import crypto from 'node:crypto';
import { eq } from 'drizzle-orm';
import IORedis from 'ioredis';
import pino from 'pino';
import { REMINDERS_RUN_JOB, remindersRunJob } from '../../jobs/definitions/reminders';
import { sendEmailJob } from '../../jobs/definitions/sendEmail';
import type { AppContext } from '../../src/app/context';
import { contacts, emails, messages, organizations } from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import type { MailTransport } from '../../src/mail/transport';
import { BullMqQueue } from '../../src/queue/bullmq';
import { InProcessQueue } from '../../src/queue/inProcess';
import type { JobDefinition, QueueDriver } from '../../src/queue/types';
import { resendEmail, UNCONFIRMED_REASON } from '../../src/services/delivery/stale';
import { SEND_EMAIL_JOB } from '../../src/services/email';
import { requeueStrandedEmails, runForFirm } from '../../src/services/reminders/run';
import { createTestApp, type TestApp } from '../support/app';
import { queueDrivers, type DriverName } from '../support/queues';
import { seedFirm, type Firm } from '../support/tenancy';
import { SmtpSink } from '../mail/smtpSink';

/** Redis database of this file alone: flushing it touches no other test's queues. */
const redisUrl = () => {
  const u = new URL(process.env.REDIS_URL!);
  u.pathname = '/13';
  return u.toString();
};

/**
 * The runner under failures, on each queue driver: whatever happens, each due step ends with
 * exactly one e-mail at the SMTP server. seedFirm's overdue-3 e-mail is due 2026-11-03 09:00 UTC.
 */
describe.each(queueDrivers())('reminder delivery on the %s queue', (driver: DriverName) => {
  const sink = new SmtpSink();
  let t: TestApp;
  const clock = new Date('2026-11-03T18:00:00Z');
  const workers: QueueDriver[] = [];

  beforeAll(async () => {
    const url = await sink.start();
    t = await createTestApp({ env: { SMTP_URL: url }, now: () => clock });
  });
  afterAll(async () => {
    for (const w of workers) await w.close(2000);
    await t.close();
    await sink.close();
  });

  /** One worker process: its own queue client (sharing `prefix` on BullMQ) over the same database. */
  function worker(prefix: string, over: Partial<AppContext> = {}): AppContext {
    const app = { ...t.app, ...over } as AppContext;
    const defs = [
      { ...sendEmailJob, backoffMs: 5 },
      { ...remindersRunJob, backoffMs: 5 },
    ] as unknown as JobDefinition<unknown, AppContext>[];
    app.queue =
      driver === 'bullmq'
        ? new BullMqQueue(defs, app, pino({ level: 'silent' }), { url: redisUrl(), prefix })
        : new InProcessQueue(defs, app, pino({ level: 'silent' }));
    workers.push(app.queue);
    return app;
  }

  async function liveFirm(name: string): Promise<{ f: Firm; address: string }> {
    const f = await seedFirm(t.app, `${name} ${driver}`);
    await t.app.db.update(organizations).set({ automation: 'live' }).where(eq(organizations.id, f.id));
    const address = `ap@${f.slug}.example`;
    return { f, address };
  }
  const emailsOf = (orgId: string) => t.app.db.select().from(emails).where(eq(emails.organizationId, orgId));
  const messagesOf = (orgId: string) =>
    t.app.db.select().from(messages).where(eq(messages.organizationId, orgId));
  const prefix = () => `t${crypto.randomBytes(4).toString('hex')}`;

  it('two workers running the same step at once send one e-mail', async () => {
    const { f, address } = await liveFirm('Two Workers');
    const p = prefix();
    const [w1, w2] = [worker(p), worker(p)];
    await Promise.all([w1.queue.startWorkers(), w2.queue.startWorkers()]);
    // the same firm's run picked up by both workers (e.g. a duplicated sweep), at the same time
    await Promise.all([
      w1.queue.enqueue(REMINDERS_RUN_JOB, { organizationId: f.id }, { jobId: 'run-a' }),
      w2.queue.enqueue(REMINDERS_RUN_JOB, { organizationId: f.id }, { jobId: 'run-b' }),
    ]);
    await Promise.all([w1.queue.drain(), w2.queue.drain()]);
    const [email] = await emailsOf(f.id);
    // and the same e-mail handed to both workers at once
    await Promise.all([
      w1.queue.enqueue(SEND_EMAIL_JOB, { emailId: email!.id }, { jobId: 'dup-1' }),
      w2.queue.enqueue(SEND_EMAIL_JOB, { emailId: email!.id }, { jobId: 'dup-2' }),
    ]);
    await Promise.all([w1.queue.drain(), w2.queue.drain()]);

    expect(sink.to(address)).toHaveLength(1);
    expect(await messagesOf(f.id)).toEqual([expect.objectContaining({ status: 'sent' })]);
    expect(await emailsOf(f.id)).toEqual([expect.objectContaining({ status: 'sent', attempts: 1 })]);
  });

  it('a send job run again after the server accepted the mail sends nothing more', async () => {
    const { f, address } = await liveFirm('Job Retried');
    const w = worker(prefix());
    await w.queue.startWorkers();
    await runForFirm(w, f.slug, '2026-11-03');
    await w.queue.drain();
    const [email] = await emailsOf(f.id);
    expect(email!.status).toBe('sent');
    // the queue delivers the job again (a stalled worker's job re-run, a retry, a re-enqueue)
    await sendEmailJob.handler(
      { emailId: email!.id },
      { app: w, jobId: `email-${email!.id}`, attempt: 2, logger: pino({ level: 'silent' }) },
    );
    await w.queue.enqueue(SEND_EMAIL_JOB, { emailId: email!.id }, { jobId: 'again' });
    await w.queue.drain();
    expect(sink.to(address)).toHaveLength(1);
    expect(await emailsOf(f.id)).toEqual([expect.objectContaining({ status: 'sent', attempts: 1 })]);
  });

  it('a crash between sending and recording never sends twice; the row is resolved for review', async () => {
    const { f, address } = await liveFirm('Crash After Send');
    const crashing: MailTransport = {
      kind: 'smtp',
      async send(mail) {
        const r = await t.app.mail.send(mail);
        if (r.ok) throw new Error('worker died after the server took the mail');
        return r;
      },
      close() {},
    };
    const w = worker(prefix(), { mail: crashing });
    await w.queue.startWorkers();
    await runForFirm(w, f.slug, '2026-11-03');
    await w.queue.drain();
    const [email] = await emailsOf(f.id);
    expect(email!.status).toBe('sending');
    // retried by the queue and by a healthy worker: neither sends again while the outcome is unknown
    await sendEmailJob.handler(
      { emailId: email!.id },
      { app: w, jobId: 'retry', attempt: 2, logger: pino({ level: 'silent' }) },
    );
    const healthy = worker(prefix());
    await healthy.queue.startWorkers();
    await healthy.queue.enqueue(SEND_EMAIL_JOB, { emailId: email!.id }, { jobId: 'healthy' });
    await healthy.queue.drain();
    expect(sink.to(address)).toHaveLength(1);

    // the sweep does not leave it stuck: a quarter of an hour later it is marked for review
    const later = { ...healthy, now: () => new Date(clock.getTime() + 16 * 60_000) } as AppContext;
    await requeueStrandedEmails(later, f.id);
    await healthy.queue.drain();
    expect(sink.to(address)).toHaveLength(1);
    expect(await emailsOf(f.id)).toEqual([
      expect.objectContaining({ status: 'failed', error: UNCONFIRMED_REASON }),
    ]);
    expect(await messagesOf(f.id)).toEqual([
      expect.objectContaining({ status: 'failed', error: UNCONFIRMED_REASON }),
    ]);

    // a clerk who checked decides to send it again: same Message-ID, once
    await resendEmail(healthy, new OrgScope(t.app.db, f.id), email!.id, { type: 'user', id: null });
    await healthy.queue.drain();
    const got = sink.to(address);
    expect(got).toHaveLength(2);
    expect(got[1]!.mail.messageId).toBe(got[0]!.mail.messageId);
    expect(await messagesOf(f.id)).toEqual([expect.objectContaining({ status: 'sent', error: null })]);
  });

  it('queue state lost mid-run (Redis flushed): the sweep re-enqueues and the step is sent once', async () => {
    const { f, address } = await liveFirm('Queue Lost');
    const p = prefix();
    const w = worker(p);
    await runForFirm(w, f.slug, '2026-11-03'); // claimed and e-mail job enqueued; no worker yet
    let after: AppContext;
    if (driver === 'bullmq') {
      const redis = new IORedis(redisUrl(), { maxRetriesPerRequest: null });
      await redis.flushdb();
      await redis.quit();
      after = w;
    } else {
      after = worker(p); // the process restarted: the in-process queue is gone
    }
    await after.queue.startWorkers();
    await after.queue.drain();
    expect(sink.to(address)).toHaveLength(0);

    // the next sweep, a few minutes later, finds the e-mail still queued and enqueues it again
    const sweep = { ...after, now: () => new Date(Date.now() + 10 * 60_000) } as AppContext;
    expect(await requeueStrandedEmails(sweep, f.id)).toBe(1);
    await after.queue.drain();
    expect(await requeueStrandedEmails(sweep, f.id)).toBe(0);
    await after.queue.drain();
    // and a run for the same day again claims nothing new
    expect((await runForFirm(after, f.slug, '2026-11-03')).results).toEqual([]);
    await after.queue.drain();

    expect(sink.to(address)).toHaveLength(1);
    expect(await messagesOf(f.id)).toEqual([expect.objectContaining({ status: 'sent' })]);
    const [contact] = await t.app.db.select().from(contacts).where(eq(contacts.organizationId, f.id));
    expect(contact).toBeUndefined();
  });
});
