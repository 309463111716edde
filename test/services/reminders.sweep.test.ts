import { eq } from 'drizzle-orm';
import pino from 'pino';
import { remindersSweepJob } from '../../jobs/definitions/reminders';
import { emails, messages, organizations } from '../../src/db/schema';
import { createTestApp, type TestApp } from '../support/app';
import { seedFirm } from '../support/tenancy';

/** seedFirm's invoice: the "overdue-3" e-mail is due on 2026-11-03 at 09:00 UTC. */
describe('reminders.sweep job', () => {
  let t: TestApp;
  let clock = new Date('2026-11-03T05:00:00Z');
  beforeAll(async () => {
    t = await createTestApp({ now: () => clock });
  });
  afterAll(() => t.close());

  const sweep = async () => {
    await remindersSweepJob.handler(
      {},
      { app: t.app, jobId: 'test', attempt: 1, logger: pino({ level: 'silent' }) },
    );
    await t.app.queue.drain();
  };
  const messagesOf = (orgId: string) =>
    t.app.db.select({ id: messages.id }).from(messages).where(eq(messages.organizationId, orgId));

  it('sends what is due for firms in live automation only, each step once across sweeps', async () => {
    const live = await seedFirm(t.app, 'Sweep Live');
    const preview = await seedFirm(t.app, 'Sweep Preview');
    await t.app.db.update(organizations).set({ automation: 'live' }).where(eq(organizations.id, live.id));

    await sweep(); // 05:00 UTC: the 09:00 reminder is not due yet
    expect(await messagesOf(live.id)).toHaveLength(0);

    clock = new Date('2026-11-03T09:05:00Z');
    await sweep();
    await sweep();
    clock = new Date('2026-11-03T09:20:00Z');
    await sweep();
    expect(await messagesOf(live.id)).toHaveLength(1);
    expect(await messagesOf(preview.id)).toHaveLength(0);
    const sent = await t.app.db.select().from(emails).where(eq(emails.organizationId, live.id));
    expect(sent.map((e) => e.status)).toEqual(['sent']);
  });
});
