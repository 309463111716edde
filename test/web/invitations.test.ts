import { eq } from 'drizzle-orm';
import { emails } from '../../src/db/schema';
import { createTestApp, type TestApp } from '../support/app';
import { browser } from '../support/http';
import { PASSWORD, seedFirm, type Firm } from '../support/tenancy';

describe('inviting a clerk by e-mail', () => {
  let t: TestApp;
  let firm: Firm;
  beforeAll(async () => {
    t = await createTestApp();
    firm = await seedFirm(t.app, 'Iota Invoicing');
  });
  afterAll(() => t.close());

  it('e-mails a single-use link that creates the member with the chosen role', async () => {
    const admin = browser(t.web);
    await admin.login(firm.users.admin, PASSWORD);
    const res = await admin.postForm(
      '/settings/team/invite',
      { email: 'New.Clerk@Iota.test', role: 'clerk' },
      '/settings/team',
    );
    expect(res.status).toBe(302);
    await t.app.queue.drain(5000);
    const [mail] = await t.app.db.select().from(emails).where(eq(emails.toAddress, 'new.clerk@iota.test'));
    expect(mail).toMatchObject({ kind: 'invitation', status: 'sent', transport: 'outbox' });
    const link = /http:\/\/localhost:3000(\/invite\/[A-Za-z0-9_-]+)/.exec(mail!.text)![1]!;

    const invitee = browser(t.web);
    const page = await invitee.agent.get(link);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Iota Invoicing');
    const short = await invitee.postForm(link, { name: 'Nia', password: 'short' }, link);
    expect(short.status).toBe(400);
    expect(short.text).toContain('at least 10 characters');
    const ok = await invitee.postForm(link, { name: 'Nia', password: 'a-good-password' }, link);
    expect(ok.status).toBe(302);
    const home = await invitee.agent.get('/');
    expect(home.text).toContain('(clerk)');

    const again = await browser(t.web).agent.get(link);
    expect(again.status).toBe(404);
  });

  it('refuses invitations from a clerk', async () => {
    const clerk = browser(t.web);
    await clerk.login(firm.users.clerk, PASSWORD);
    const res = await clerk.postForm(
      '/settings/team/invite',
      { email: 'x@iota.test', role: 'admin' },
      '/settings/team',
    );
    expect(res.status).toBe(403);
  });
});
