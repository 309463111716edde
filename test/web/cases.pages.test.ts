import { eq } from 'drizzle-orm';
import { attachments, disputes, emails, promises } from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { openDispute } from '../../src/services/disputes';
import { createTestApp, type TestApp } from '../support/app';
import { movableClock } from '../support/cases';
import { FILES } from '../support/files';
import { browser, csrfFrom } from '../support/http';
import { expectIsolation, PASSWORD, seedFirm, type Firm } from '../support/tenancy';

const PORTAL = { actor: { type: 'customer' as const, id: null }, source: 'portal' as const };

describe('workspace: disputes and promises pages', () => {
  // Tuesday 2026-11-17, 10:00 in UTC firms
  const clock = movableClock('2026-11-17T10:00:00Z');
  let t: TestApp;
  let a: Firm;
  let b: Firm;

  async function seedCase(f: Firm, message = 'Wrong rate on the invoice') {
    const d = await openDispute(
      t.app,
      new OrgScope(t.app.db, f.id),
      {
        customerId: f.customerId,
        kind: 'dispute',
        category: 'pricing',
        invoiceIds: [f.invoiceId],
        message,
        attachment: {
          filename: 'note.txt',
          contentType: 'text/plain',
          content: Buffer.from('see rate card'),
        },
      },
      PORTAL,
    );
    return d;
  }

  beforeAll(async () => {
    t = await createTestApp({ now: clock.now });
    a = await seedFirm(t.app, 'Pages Firm A');
    b = await seedFirm(t.app, 'Pages Firm B');
    for (const f of [a, b]) {
      const d = await seedCase(f);
      f.extra.disputeId = d.id;
      const [file] = await t.app.db.select().from(attachments).where(eq(attachments.disputeId, d.id));
      f.extra.attachmentId = file!.id;
    }
  });
  afterAll(() => t.close());

  const signIn = async (email: string) => {
    const s = browser(t.web);
    expect((await s.login(email, PASSWORD)).status).toBe(302);
    return s;
  };

  it("keeps firm B's cases away from firm A's clerks", async () => {
    await expectIsolation(t.web, a, b, {
      pages: [
        (f) => `/disputes/${f.extra.disputeId}`,
        (f) => `/disputes/${f.extra.disputeId}/attachments/${f.extra.attachmentId}`,
      ],
    });
    const clerk = await signIn(a.users.clerk);
    const list = await clerk.agent.get('/disputes');
    expect(list.status).toBe(200);
    const bRef = (await t.app.db.select().from(disputes).where(eq(disputes.id, b.extra.disputeId!)))[0]!
      .reference;
    expect(list.text).toContain(`/disputes/${a.extra.disputeId}`);
    expect(list.text).not.toContain(`/disputes/${b.extra.disputeId}`);
    expect(bRef).toBe('D-1001');
    const token = await clerk.csrf(`/disputes/${a.extra.disputeId}`);
    const res = await clerk.agent
      .post(`/disputes/${b.extra.disputeId}/status`)
      .type('form')
      .send({ _csrf: token, status: 'resolved', outcome: 'paid' });
    expect(res.status).toBe(404);
  });

  it('a viewer reads cases but cannot resolve, reply or assign (403), nothing changes', async () => {
    const viewer = await signIn(a.users.viewer);
    const page = await viewer.agent.get(`/disputes/${a.extra.disputeId}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Wrong rate on the invoice');
    expect(page.text).not.toContain('Send reply');
    const token = csrfFrom(page.text); // the sign-out form's token
    for (const [path, form] of [
      [`/disputes/${a.extra.disputeId}/status`, { status: 'resolved', outcome: 'not_valid' }],
      [`/disputes/${a.extra.disputeId}/reply`, { body: 'no' }],
      [`/disputes/${a.extra.disputeId}/assign`, { ownerUserId: '' }],
      [
        '/promises',
        { customerId: a.customerId, invoiceIds: a.invoiceId, amount: '10', promisedDate: '2026-11-30' },
      ],
    ] as const) {
      const res = await viewer.agent
        .post(path)
        .type('form')
        .send({ ...form, _csrf: token });
      expect({ path, status: res.status }).toEqual({ path, status: 403 });
    }
    const [d] = await t.app.db.select().from(disputes).where(eq(disputes.id, a.extra.disputeId!));
    expect(d!.status).toBe('open');
    expect(await t.app.db.select().from(promises).where(eq(promises.organizationId, a.id))).toEqual([]);
  });

  it('marks a case past its first-response deadline, and a clerk answers it (multipart, CSRF checked) and resolves it', async () => {
    clock.set('2026-11-19T10:00:00Z');
    const clerk = await signIn(a.users.clerk);
    const inbox = await clerk.agent.get('/disputes');
    expect(inbox.text).toContain('SLA breached');
    expect(inbox.text).toMatch(/class="sla-breached"/);
    expect((await clerk.agent.get('/disputes?breached=1')).text).toContain(`/disputes/${a.extra.disputeId}`);

    const page = await clerk.agent.get(`/disputes/${a.extra.disputeId}`);
    const noToken = await clerk.agent
      .post(`/disputes/${a.extra.disputeId}/reply`)
      .field('body', 'Hello')
      .attach('attachment', FILES.pdf, 'credit.pdf');
    expect(noToken.status).toBe(403);
    const reply = await clerk.agent
      .post(`/disputes/${a.extra.disputeId}/reply`)
      .field('_csrf', csrfFrom(page.text))
      .field('body', 'We checked: a credit note follows.')
      .attach('attachment', FILES.pdf, 'credit.pdf');
    expect(reply.status).toBe(303);
    const sent = await t.app.db.select().from(emails).where(eq(emails.kind, 'dispute.reply'));
    expect(sent.filter((e) => e.organizationId === a.id)).toHaveLength(1);
    const after = await clerk.agent.get(`/disputes/${a.extra.disputeId}`);
    expect(after.text).toContain('We checked: a credit note follows.');
    expect(after.text).toContain('credit.pdf');
    expect(after.text).not.toContain('SLA breached');

    const bad = await clerk.postForm(
      `/disputes/${a.extra.disputeId}/status`,
      { status: 'resolved', outcome: '' },
      `/disputes/${a.extra.disputeId}`,
    );
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('choose an outcome to resolve the case');
    const ok = await clerk.postForm(
      `/disputes/${a.extra.disputeId}/status`,
      { status: 'resolved', outcome: 'credit_issued' },
      `/disputes/${a.extra.disputeId}`,
    );
    expect(ok.status).toBe(303);
    const [d] = await t.app.db.select().from(disputes).where(eq(disputes.id, a.extra.disputeId!));
    expect(d).toMatchObject({ status: 'resolved', outcome: 'credit_issued' });
    clock.set('2026-11-17T10:00:00Z');
  });

  it('promises page: a clerk records a promise from a call; bad input is shown with its message', async () => {
    const clerk = await signIn(a.users.clerk);
    const list = await clerk.agent.get('/promises');
    expect(list.status).toBe(200);
    expect(list.text).toContain('Promise-kept rate');
    const form = await clerk.agent.get(`/promises/new?customerId=${a.customerId}`);
    expect(form.text).toContain('INV-1');
    const bad = await clerk.postForm(
      '/promises',
      {
        customerId: a.customerId,
        invoiceIds: a.invoiceId,
        amount: '5000',
        promisedDate: '2026-11-30',
        source: 'call',
      },
      `/promises/new?customerId=${a.customerId}`,
    );
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('the amount is more than the open balance');
    const ok = await clerk.postForm(
      '/promises',
      {
        customerId: a.customerId,
        invoiceIds: a.invoiceId,
        amount: '700',
        promisedDate: '2026-11-30',
        source: 'call',
      },
      `/promises/new?customerId=${a.customerId}`,
    );
    expect(ok.status).toBe(303);
    const [p] = await t.app.db.select().from(promises).where(eq(promises.organizationId, a.id));
    expect(p).toMatchObject({ source: 'call', status: 'active', promisedDate: '2026-11-30' });
    const after = await clerk.agent.get('/promises');
    expect(after.text).toContain('$700.00');
  });
});
