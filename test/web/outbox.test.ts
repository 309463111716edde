import { eq } from 'drizzle-orm';
import { emails, messages, organizations } from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { updateTracking } from '../../src/services/delivery/trackingSettings';
import { runForFirm } from '../../src/services/reminders/run';
import { createTestApp, type TestApp } from '../support/app';
import { browser, csrfFrom } from '../support/http';
import { expectIsolation, PASSWORD, seedFirm, type Firm } from '../support/tenancy';

describe('the clerk outbox', () => {
  let t: TestApp;
  let a: Firm;
  let b: Firm;
  beforeAll(async () => {
    t = await createTestApp({ now: () => new Date('2026-11-03T18:00:00Z') });
    a = await seedFirm(t.app, 'Outbox A');
    b = await seedFirm(t.app, 'Outbox B');
    for (const f of [a, b]) {
      await t.app.db.update(organizations).set({ automation: 'live' }).where(eq(organizations.id, f.id));
      await updateTracking(
        new OrgScope(t.app.db, f.id),
        { opens: true, clicks: true },
        { type: 'system', id: null },
      );
      await runForFirm(t.app, f.slug, '2026-11-03');
      const [email] = await t.app.db.select().from(emails).where(eq(emails.organizationId, f.id));
      f.extra.emailId = email!.id;
    }
    await t.app.queue.drain();
  });
  afterAll(() => t.close());

  async function signedIn(email: string) {
    const br = browser(t.web);
    expect((await br.login(email, PASSWORD)).status).toBe(302);
    return br;
  }

  it('lists the firm’s e-mails with status, recipient, subject and time; one e-mail shows both parts', async () => {
    const clerk = await signedIn(a.users.clerk);
    const list = await clerk.agent.get('/settings/outbox');
    expect(list.status).toBe(200);
    expect(list.text).toContain(`ap@${a.slug}.example`);
    expect(list.text).toContain('Payment reminder');
    expect(list.text).toMatch(/status-sent/);
    expect(list.text).not.toContain(b.slug);
    expect(list.text).toContain('href="/settings/outbox"'); // nav link

    const one = await clerk.agent.get(`/settings/outbox/${a.extra.emailId}`);
    expect(one.status).toBe(200);
    expect(one.text).toContain('Hello there,');
    expect(one.text).toMatch(/<iframe[^>]*sandbox[^>]*src="\/settings\/outbox\/[^"]+\/html"/);

    const html = await clerk.agent.get(`/settings/outbox/${a.extra.emailId}/html`);
    expect(html.status).toBe(200);
    expect(html.headers['content-security-policy']).toMatch(/^sandbox; default-src 'none'/);
    expect(html.text).toContain('USD 1,200.00');
    // reading it here is not the customer opening or clicking it
    expect(html.text).not.toContain('/t/o/');
    expect(html.text).not.toContain('/t/c/');
    const [msg] = await t.app.db.select().from(messages).where(eq(messages.emailId, a.extra.emailId!));
    expect(msg).toMatchObject({ openedAt: null, clickedAt: null });
  });

  it('is for clerks and above; another firm’s e-mail is not found', async () => {
    const viewer = await signedIn(a.users.viewer);
    expect((await viewer.agent.get('/settings/outbox')).status).toBe(403);
    expect((await viewer.agent.get(`/settings/outbox/${a.extra.emailId}`)).status).toBe(403);
    await expectIsolation(t.web, a, b, {
      pages: [
        (f) => `/settings/outbox/${f.extra.emailId}`,
        (f) => `/settings/outbox/${f.extra.emailId}/html`,
      ],
    });
  });

  it('a failed e-mail can be sent again by a clerk; tracking is an admin’s switch', async () => {
    await t.app.db
      .update(emails)
      .set({ status: 'failed', error: '554 5.7.1 rejected' })
      .where(eq(emails.id, b.extra.emailId!));
    const clerk = await signedIn(b.users.clerk);
    const page = await clerk.agent.get(`/settings/outbox/${b.extra.emailId}`);
    expect(page.text).toContain('554 5.7.1 rejected');
    const res = await clerk.agent
      .post(`/settings/outbox/${b.extra.emailId}/resend`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text) });
    expect(res.status).toBe(303);
    await t.app.queue.drain();
    const [email] = await t.app.db.select().from(emails).where(eq(emails.id, b.extra.emailId!));
    expect(email).toMatchObject({ status: 'sent', error: null });

    const denied = await clerk.agent
      .post('/settings/outbox/tracking')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), opens: 'on' });
    expect(denied.status).toBe(403);
    const admin = await signedIn(b.users.admin);
    const form = await admin.agent.get('/settings/outbox');
    const saved = await admin.agent
      .post('/settings/outbox/tracking')
      .type('form')
      .send({ _csrf: csrfFrom(form.text), opens: 'on' });
    expect(saved.status).toBe(303);
    const [org] = await t.app.db.select().from(organizations).where(eq(organizations.id, b.id));
    expect(org!.settings.tracking).toEqual({ opens: true, clicks: false });
  });
});
