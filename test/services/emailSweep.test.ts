import { eq } from 'drizzle-orm';
import pino from 'pino';
import { emailSweepJob } from '../../jobs/definitions/sendEmail';
import { ALL_JOBS } from '../../jobs/registry';
import type { AppContext } from '../../src/app/context';
import { emails } from '../../src/db/schema';
import type { MailTransport, OutgoingEmail } from '../../src/mail/transport';
import { UNCONFIRMED_REASON } from '../../src/services/delivery/stale';
import { createTestApp, type TestApp } from '../support/app';

/** The e-mail sweep covers every e-mail, also those of no firm (invitations). */
describe('email.sweep job', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000);
  async function row(key: string, values: Partial<typeof emails.$inferInsert>) {
    const [r] = await t.app.db
      .insert(emails)
      .values({
        organizationId: null,
        kind: 'invitation',
        idempotencyKey: key,
        fromAddress: 'Duely <ar@localhost>',
        toAddress: `${key}@invitee.example`,
        subject: 'You are invited',
        text: 'Join us',
        ...values,
      })
      .returning();
    return r!;
  }
  const sweep = (app: AppContext) =>
    emailSweepJob.handler({}, { app, jobId: 'test', attempt: 1, logger: pino({ level: 'silent' }) });
  const statusOf = async (id: string) => (await t.app.db.select().from(emails).where(eq(emails.id, id)))[0]!;

  it('is scheduled with the other jobs', () => {
    expect(ALL_JOBS.map((j) => j.name)).toContain('email.sweep');
    expect(emailSweepJob.schedule?.cron).toBe('*/5 * * * *');
  });

  it('sends an e-mail whose job was lost, once, and resends a stuck local-outbox row', async () => {
    const lost = await row('lost-job', { createdAt: ago(10) });
    const stuck = await row('stuck-outbox', { status: 'sending', sentAt: ago(20), attempts: 1 });
    const fresh = await row('fresh', {}); // just recorded: its job is still on its way
    await sweep(t.app);
    await t.app.queue.drain();
    await sweep(t.app);
    await t.app.queue.drain();
    expect(await statusOf(lost.id)).toMatchObject({ status: 'sent', attempts: 1 });
    expect(await statusOf(stuck.id)).toMatchObject({ status: 'sent', attempts: 2 });
    expect((await statusOf(fresh.id)).status).not.toBe('failed');
  });

  it('with SMTP, a row left sending is marked unconfirmed for review and not sent again', async () => {
    const sent: OutgoingEmail[] = [];
    const smtp: MailTransport = {
      kind: 'smtp',
      async send(mail) {
        sent.push(mail);
        return { ok: true, providerMessageId: mail.messageId };
      },
      close() {},
    };
    const app = { ...t.app, mail: smtp } as AppContext;
    const stuck = await row('stuck-smtp', { status: 'sending', sentAt: ago(20), attempts: 1 });
    const recent = await row('sending-now', { status: 'sending', sentAt: ago(1), attempts: 1 });
    await sweep(app);
    await t.app.queue.drain();
    expect(await statusOf(stuck.id)).toMatchObject({ status: 'failed', error: UNCONFIRMED_REASON });
    expect((await statusOf(recent.id)).status).toBe('sending'); // still within a normal send
    expect(sent).toEqual([]);
  });
});
