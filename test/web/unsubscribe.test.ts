import { and, eq } from 'drizzle-orm';
import request from 'supertest';
import { activities, auditLog, contacts, customers, emails, organizations, tasks } from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { runForFirm } from '../../src/services/reminders/run';
import { unsubscribeToken } from '../../src/services/unsubscribe';
import { createTestApp, type TestApp } from '../support/app';
import { seedFirm, type Firm } from '../support/tenancy';

/** One-click unsubscribe (RFC 8058): seedFirm's overdue-3 reminder goes out 2026-11-03. */
describe('one-click unsubscribe', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ now: () => new Date('2026-11-03T18:00:00Z') });
  });
  afterAll(() => t.close());

  async function remindedFirm(name: string): Promise<{ f: Firm; path: string }> {
    const f = await seedFirm(t.app, name);
    await t.app.db.update(organizations).set({ automation: 'live' }).where(eq(organizations.id, f.id));
    const scope = new OrgScope(t.app.db, f.id);
    await scope.update(customers, { phone: '+1 555 0199' }, eq(customers.id, f.customerId));
    await runForFirm(t.app, f.slug, '2026-11-03');
    await t.app.queue.drain();
    const [email] = await t.app.db.select().from(emails).where(eq(emails.organizationId, f.id));
    expect(email!.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    const url = /^<(http:\/\/localhost:3000(\/u\/[A-Za-z0-9_-]+))>$/.exec(
      email!.headers['List-Unsubscribe']!,
    );
    expect(url).not.toBeNull();
    expect(email!.html).toContain(url![1]); // the footer link is the same URL
    return { f, path: url![2]! };
  }
  const contactsOf = (orgId: string) =>
    t.app.db.select().from(contacts).where(eq(contacts.organizationId, orgId));
  const unsubscribedActivities = (orgId: string) =>
    t.app.db
      .select()
      .from(activities)
      .where(and(eq(activities.organizationId, orgId), eq(activities.kind, 'contact.unsubscribed')));

  it('GET only asks; the one-click POST (no cookie, no CSRF token) unsubscribes once, recorded and audited', async () => {
    const { f, path } = await remindedFirm('Unsub One Click');
    const page = await request(t.web).get(path);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`ap@${f.slug}.example`);
    expect(page.text).toContain(`action="${path}"`);
    expect(await contactsOf(f.id)).toEqual([]); // a GET (a mail scanner) changes nothing

    const post = await request(t.web).post(path).type('form').send('List-Unsubscribe=One-Click');
    expect(post.status).toBe(200);
    expect(post.text).toMatch(/You are unsubscribed/);
    const [contact] = await contactsOf(f.id);
    expect(contact).toMatchObject({
      customerId: f.customerId,
      email: `ap@${f.slug}.example`,
      unsubscribedAt: expect.any(Date),
    });
    expect(await unsubscribedActivities(f.id)).toEqual([
      expect.objectContaining({ actorType: 'customer', data: { contactId: contact!.id, via: 'one-click' } }),
    ]);
    const audits = await t.app.db.select().from(auditLog).where(eq(auditLog.organizationId, f.id));
    expect(audits.map((a) => a.action)).toContain('contact.unsubscribed');

    // again (the button pressed twice, a retry by the mail client): nothing more recorded
    expect((await request(t.web).post(path).type('form').send('List-Unsubscribe=One-Click')).status).toBe(
      200,
    );
    expect(await unsubscribedActivities(f.id)).toHaveLength(1);
    expect(await contactsOf(f.id)).toHaveLength(1);
  });

  it('later reminders become call tasks for the unsubscribed contact, not silence', async () => {
    const { f, path } = await remindedFirm('Unsub Calls');
    expect((await request(t.web).post(path).type('form').send({ from: 'page' })).status).toBe(200);
    const before = await t.app.db.select().from(emails).where(eq(emails.organizationId, f.id));

    const run = await runForFirm(t.app, f.slug, '2026-11-16'); // overdue-14 (an e-mail step) is due
    const overdue14 = run.actions.find((a) => a.stepKey === 'overdue-14');
    expect(overdue14).toMatchObject({ channel: 'call' });
    expect(run.results.map((r) => r.status)).not.toContain('queued');
    const made = await t.app.db.select().from(tasks).where(eq(tasks.organizationId, f.id));
    const task = made.find((x) => x.stepKey === 'overdue-14');
    expect(task).toMatchObject({ kind: 'call', status: 'open' });
    expect(task!.talkingPoints.join('\n')).toMatch(/unsubscribed from reminder e-mails/);
    expect(await t.app.db.select().from(emails).where(eq(emails.organizationId, f.id))).toHaveLength(
      before.length,
    );
  });

  it('a contact record is unsubscribed itself; a forged or tampered token changes nothing', async () => {
    const f = await seedFirm(t.app, 'Unsub Contact');
    const scope = new OrgScope(t.app.db, f.id);
    const [c] = await scope
      .insert(contacts, {
        customerId: f.customerId,
        name: 'Ann',
        email: 'ann@unsub.example',
        isPrimary: true,
      })
      .returning({ id: contacts.id });
    const token = unsubscribeToken(t.app.sessionSecret, { contactId: c!.id });
    const tampered = token.slice(0, -2) + (token.endsWith('A') ? 'BB' : 'AA');
    const otherKey = unsubscribeToken('another-secret-entirely', { contactId: c!.id });
    for (const bad of [tampered, otherKey, 'x'.repeat(44), 'short']) {
      const res = await request(t.web).post(`/u/${bad}`).type('form').send('List-Unsubscribe=One-Click');
      expect({ bad, status: res.status }).toEqual({ bad, status: 404 });
      expect((await request(t.web).get(`/u/${bad}`)).status).toBe(404);
    }
    const [still] = await scope.select(contacts);
    expect(still!.unsubscribedAt).toBeNull();
    expect(await unsubscribedActivities(f.id)).toEqual([]);

    expect((await request(t.web).post(`/u/${token}`).send()).status).toBe(200);
    const [now] = await scope.select(contacts);
    expect(now!.unsubscribedAt).toEqual(expect.any(Date));
  });

  it('only this route is exempt from CSRF: other cookie-less form posts are still refused', async () => {
    const res = await request(t.web).post('/logout').type('form').send({});
    expect(res.status).toBe(403);
  });
});
