import { eq } from 'drizzle-orm';
import { emails, invoiceSteps, organizations, tasks } from '../../src/db/schema';
import { runForFirm } from '../../src/services/reminders/run';
import { createTestApp, type TestApp } from '../support/app';
import { seedFirm } from '../support/tenancy';

/**
 * Catch-up after an outage, from the database: seedFirm's INV-1 is due Saturday 2026-10-31; the
 * overdue-3 e-mail (11-03) went out, then Duely was down for ten days. Only the latest step that fell
 * due goes out, never a burst, and the missed ones are never sent later.
 */
describe('reminders: catch-up after a 10-day outage', () => {
  let t: TestApp;
  /** Each run happens on its own day: e-mails are recorded as sent then. */
  let today = '2026-11-03';
  beforeAll(async () => {
    t = await createTestApp({ now: () => new Date(`${today}T18:00:00Z`) });
  });
  const runOn = (slug: string, day: string) => {
    today = day;
    return runForFirm(t.app, slug, day);
  };
  afterAll(() => t.close());

  it('sends one message for the latest due step, then continues with the sequence', async () => {
    const f = await seedFirm(t.app, 'Catch Up');
    await t.app.db.update(organizations).set({ automation: 'live' }).where(eq(organizations.id, f.id));
    const sentEmails = () => t.app.db.select().from(emails).where(eq(emails.organizationId, f.id));
    const doneSteps = async () =>
      (
        await t.app.db
          .select({ stepKey: invoiceSteps.stepKey })
          .from(invoiceSteps)
          .where(eq(invoiceSteps.organizationId, f.id))
      )
        .map((s) => s.stepKey)
        .sort();

    expect((await runOn(f.slug, '2026-11-03')).results.map((r) => r.status)).toEqual(['queued']);
    // down from 11-04 to 11-13: call-10 (11-10) and overdue-14 (Saturday 11-14 → Monday 11-16) fell due
    const back = await runOn(f.slug, '2026-11-16');
    expect(back.actions.map((a) => [a.stepKey, a.channel])).toEqual([['overdue-14', 'email']]);
    expect(back.skipped).toContainEqual({ invoiceId: f.invoiceId, reason: 'superseded' });
    expect(back.results.map((r) => r.status)).toEqual(['queued']);
    expect(await sentEmails()).toHaveLength(2);
    expect(await t.app.db.select().from(tasks).where(eq(tasks.organizationId, f.id))).toEqual([]);
    expect(await doneSteps()).toEqual(['overdue-14', 'overdue-3']);

    // the missed call is never made late, and nothing more goes out the next days
    for (const day of ['2026-11-17', '2026-11-20', '2026-11-27']) {
      expect((await runOn(f.slug, day)).actions).toEqual([]);
    }
    // the next step comes on its own date
    const final = await runOn(f.slug, '2026-11-30');
    expect(final.actions.map((a) => a.stepKey)).toEqual(['final-30']);
    expect(await sentEmails()).toHaveLength(3);
  });
});
