import { eq } from 'drizzle-orm';
import request from 'supertest';
import {
  activities,
  auditLog,
  contacts,
  customers,
  invoices,
  organizations,
  writeBacks,
} from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { createTestApp, type TestApp } from '../support/app';
import { browser, csrfFrom } from '../support/http';
import { PASSWORD, seedFirm, type Firm } from '../support/tenancy';

/** The clock: 2026-11-20 in the firm's zone; seedFirm's INV-1 (1200.00, due 10-31) is 20 days overdue. */
const NOW = new Date('2026-11-20T15:00:00Z');

describe('customers pages', () => {
  let t: TestApp;
  let a: Firm;
  let b: Firm;
  let second: string;
  beforeAll(async () => {
    t = await createTestApp({ now: () => NOW });
    a = await seedFirm(t.app, 'Echo Electric');
    b = await seedFirm(t.app, 'Foxtrot Foods');
    const scope = new OrgScope(t.app.db, a.id);
    const [c2] = await scope
      .insert(customers, {
        connectionId: a.connectionId,
        externalId: '2',
        name: 'Zulu Zinc',
        email: 'billing@zulu.example',
        tags: ['wholesale'],
      })
      .returning({ id: customers.id });
    second = c2!.id;
    await scope.insert(invoices, {
      connectionId: a.connectionId,
      externalId: '200',
      customerId: second,
      number: 'INV-200',
      currency: 'USD',
      issueDate: '2026-11-10',
      dueDate: '2026-12-10',
      total: '99.50',
      balance: '99.50',
      status: 'open',
      platformStatus: 'Open',
    });
    await scope.insert(contacts, {
      customerId: a.customerId,
      name: 'Ada Payables',
      email: 'ada@echo.example',
      role: 'billing',
      isPrimary: true,
    });
  });
  afterAll(() => t.close());

  // one signed-in browser per role for the whole file (signing in hashes a password: slow on purpose)
  const agents = new Map<string, ReturnType<typeof browser>>();
  async function signedIn(email: string) {
    const known = agents.get(email);
    if (known) return known;
    const user = browser(t.web);
    expect((await user.login(email, PASSWORD)).status).toBe(302);
    agents.set(email, user);
    return user;
  }

  it('lists, searches and filters the firm’s customers, with a Customers link in the navigation', async () => {
    const viewer = await signedIn(a.users.viewer);
    const all = await viewer.agent.get('/customers');
    expect(all.status).toBe(200);
    expect(all.text).toContain('<a href="/customers" aria-current="page">Customers</a>');
    expect(all.text).toMatch(/data-testid="customer-count">2</);
    // sorted by balance: 1200.00 first
    const order = [...all.text.matchAll(/data-customer-id="([^"]+)"/g)].map((m) => m[1]);
    expect(order).toEqual([a.customerId, second]);
    expect(all.text).not.toContain('Foxtrot Foods Customer');

    const search = await viewer.agent.get('/customers?q=ZULU');
    expect([...search.text.matchAll(/data-customer-id="([^"]+)"/g)].map((m) => m[1])).toEqual([second]);
    // a contact's address finds its customer
    const byContact = await viewer.agent.get('/customers?q=ada%40echo');
    expect([...byContact.text.matchAll(/data-customer-id="([^"]+)"/g)].map((m) => m[1])).toEqual([
      a.customerId,
    ]);
    const overdue = await viewer.agent.get('/customers?overdue=any');
    expect([...overdue.text.matchAll(/data-customer-id="([^"]+)"/g)].map((m) => m[1])).toEqual([
      a.customerId,
    ]);
    const tagged = await viewer.agent.get('/customers?tag=wholesale&sort=name');
    expect([...tagged.text.matchAll(/data-customer-id="([^"]+)"/g)].map((m) => m[1])).toEqual([second]);
  });

  it('refuses a filter it does not know with a clear message', async () => {
    const viewer = await signedIn(a.users.viewer);
    const res = await viewer.agent.get('/customers?overdue=7').set('Accept', 'text/html');
    expect(res.status).toBe(400);
    expect(res.text).toContain('overdue');
  });

  it('exports the filtered list as CSV with the same rows', async () => {
    const viewer = await signedIn(a.users.viewer);
    const page = await viewer.agent.get('/customers?balance=yes&sort=name');
    const ids = [...page.text.matchAll(/data-customer-id="([^"]+)"/g)].map((m) => m[1]);
    const csv = await viewer.agent.get('/customers.csv?balance=yes&sort=name');
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toMatch(/^Customer,Customer id,E-mail,Currency,Balance,Overdue/);
    expect(lines.slice(1).map((l) => l.split(',')[1])).toEqual(ids);
    expect(lines[1]).toContain('1200.00');
  });

  it('shows the customer page with contacts, open invoices with aging and one timeline', async () => {
    const viewer = await signedIn(a.users.viewer);
    const res = await viewer.agent.get(`/customers/${a.customerId}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Ada Payables');
    expect(res.text).toMatch(/<th scope="row">INV-1<\/th>[\s\S]*?<td class="num">20<\/td>[\s\S]*?1-30/);
    expect(res.text).toContain('data-kind="invoice.issued"');
    // a viewer sees the forms disabled, without their buttons
    expect(res.text).toContain('needs the clerk role');
    expect(res.text).not.toContain('Save the sequence</button>');
    const csv = await viewer.agent.get(`/customers/${a.customerId}/invoices.csv`);
    expect(csv.text.split('\r\n')[1]).toMatch(
      /^INV-1,[^,]+,2026-10-01,2026-10-31,20,1-30,USD,1200.00,1200.00,no,no$/,
    );
    for (const table of ['contacts', 'promises', 'disputes', 'timeline']) {
      const r = await viewer.agent.get(`/customers/${a.customerId}/${table}.csv`);
      expect({ table, status: r.status }).toEqual({ table, status: 200 });
    }
    expect((await viewer.agent.get(`/customers/${a.customerId}/secrets.csv`)).status).toBe(404);
  });

  it('lets a viewer read but not change the sequence (403, nothing changed)', async () => {
    const viewer = await signedIn(a.users.viewer);
    const token = csrfFrom((await viewer.agent.get(`/customers/${a.customerId}`)).text);
    const res = await viewer.agent
      .post(`/customers/${a.customerId}/sequence`)
      .type('form')
      .send({ _csrf: token, sequenceKey: 'firm' });
    expect(res.status).toBe(403);
    const [c] = await t.app.db.select().from(customers).where(eq(customers.id, a.customerId));
    expect(c!.sequenceKey).toBeNull();
  });

  it('lets a clerk change the sequence, audited and on the timeline right after', async () => {
    const clerk = await signedIn(a.users.clerk);
    const res = await clerk.postForm(
      `/customers/${a.customerId}/sequence`,
      { sequenceKey: 'firm' },
      `/customers/${a.customerId}`,
    );
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/customers/${a.customerId}#timeline`);
    const page = await clerk.agent.get(`/customers/${a.customerId}`);
    expect(page.text).toContain('Sequence set to firm by hand');
    expect(page.text).toMatch(/data-testid="sequence">Firm/);
    const audits = await t.app.db.select().from(auditLog).where(eq(auditLog.action, 'sequence.changed'));
    expect(audits.filter((x) => x.organizationId === a.id)).toHaveLength(1);
    // back to automatic
    await clerk.postForm(
      `/customers/${a.customerId}/sequence`,
      { sequenceKey: 'auto' },
      `/customers/${a.customerId}`,
    );
    const [c] = await t.app.db.select().from(customers).where(eq(customers.id, a.customerId));
    expect(c!.sequenceKey).toBeNull();
  });

  it('shows a rejected form again with the reason and changes nothing', async () => {
    const clerk = await signedIn(a.users.clerk);
    const res = await clerk.postForm(
      `/customers/${a.customerId}/pause`,
      { until: '2026-02-30', reason: 'holidays' },
      `/customers/${a.customerId}`,
    );
    expect(res.status).toBe(400);
    expect(res.text).toContain('give the last day of the pause as YYYY-MM-DD');
    expect(res.text).toContain('value="holidays"');
    const [c] = await t.app.db.select().from(customers).where(eq(customers.id, a.customerId));
    expect(c!.pausedUntil).toBeNull();
  });

  it('saves a note once even when the form is submitted twice, with one write-back', async () => {
    const clerk = await signedIn(a.users.clerk);
    const page = await clerk.agent.get(`/customers/${a.customerId}`);
    const form =
      /action="\/customers\/[^"]+\/notes"[\s\S]*?name="_csrf" value="([^"]+)"[\s\S]*?name="requestKey" value="([^"]+)"/.exec(
        page.text,
      )!;
    const body = { _csrf: form[1]!, requestKey: form[2]!, text: 'Customer asked for a copy of INV-1' };
    const first = await clerk.agent.post(`/customers/${a.customerId}/notes`).type('form').send(body);
    const again = await clerk.agent.post(`/customers/${a.customerId}/notes`).type('form').send(body);
    expect([first.status, again.status]).toEqual([303, 303]);
    const notes = await t.app.db.select().from(activities).where(eq(activities.kind, 'note'));
    expect(notes.filter((n) => n.customerId === a.customerId)).toHaveLength(1);
    const wb = await t.app.db.select().from(writeBacks).where(eq(writeBacks.organizationId, a.id));
    expect(wb).toHaveLength(1);
    expect(wb[0]).toMatchObject({ kind: 'note', invoiceId: a.invoiceId });
    const after = await clerk.agent.get(`/customers/${a.customerId}`);
    expect(after.text).toContain('Customer asked for a copy of INV-1');
  });

  it('rejects a form without its CSRF token', async () => {
    const clerk = await signedIn(a.users.clerk);
    const res = await clerk.agent.post(`/customers/${a.customerId}/pilot`).type('form').send({ pilot: 'on' });
    expect(res.status).toBe(403);
    const [c] = await t.app.db.select().from(customers).where(eq(customers.id, a.customerId));
    expect(c!.pilot).toBe(false);
  });

  it('keeps data requests to admins', async () => {
    const [k] = await t.app.db.select().from(contacts).where(eq(contacts.customerId, a.customerId));
    const clerk = await signedIn(a.users.clerk);
    expect((await clerk.agent.get(`/customers/${a.customerId}/contacts/${k!.id}/export`)).status).toBe(403);
    expect((await clerk.agent.get(`/customers/${a.customerId}/contacts/${k!.id}/erase`)).status).toBe(403);
    const admin = await signedIn(a.users.admin);
    const res = await admin.agent.get(`/customers/${a.customerId}/contacts/${k!.id}/export`);
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toMatch(/attachment/);
    expect(JSON.parse(res.text).contact.email).toBe('ada@echo.example');
    const confirm = await admin.agent.get(`/customers/${a.customerId}/contacts/${k!.id}/erase`);
    expect(confirm.text).toContain('Type <strong>ERASE</strong> to confirm');
    const wrong = await admin.postForm(
      `/customers/${a.customerId}/contacts/${k!.id}/erase`,
      { confirm: 'yes' },
      `/customers/${a.customerId}/contacts/${k!.id}/erase`,
    );
    expect(wrong.status).toBe(400);
    const [still] = await t.app.db.select().from(contacts).where(eq(contacts.id, k!.id));
    expect(still!.erasedAt).toBeNull();
  });

  it('shows timeline times in the firm’s zone, by whom, and pages older entries', async () => {
    await t.app.db
      .update(organizations)
      .set({ timezone: 'America/New_York' })
      .where(eq(organizations.id, a.id));
    const scope = new OrgScope(t.app.db, a.id);
    await scope.insert(
      activities,
      Array.from({ length: 40 }, (_, i) => ({
        customerId: second,
        kind: 'note',
        actorType: 'system' as const,
        body: `old note ${i}`,
        createdAt: new Date(Date.UTC(2026, 9, 1, 12, i)),
      })),
    );
    await scope.insert(activities, {
      customerId: second,
      kind: 'note',
      actorType: 'system',
      body: 'newest note',
      createdAt: NOW,
    });
    const viewer = await signedIn(a.users.viewer);
    const page = await viewer.agent.get(`/customers/${second}`);
    // 15:00Z is 10:00 in New York
    expect(page.text).toMatch(
      /<time datetime="2026-11-20T15:00:00.000Z">2026-11-20 10:00<\/time>[\s\S]*?newest note[\s\S]*?by Duely/,
    );
    expect(page.text).not.toContain('old note 0<');
    const older = /href="(\/customers\/[^"]+\?before=[^"#]+)#timeline"/.exec(page.text)![1]!;
    const next = await viewer.agent.get(older.replace(/&amp;/g, '&'));
    expect(next.status).toBe(200);
    expect(next.text).toContain('old note 0');
    expect(next.text).not.toContain('newest note');
    expect((await viewer.agent.get(`/customers/${second}?before=garbage`)).status).toBe(400);
  });

  it('sends a visitor who is not signed in to the login page', async () => {
    const res = await request(t.web).get(`/customers/${a.customerId}`);
    expect(res.status).toBe(302);
    expect(res.headers.location).toMatch(/^\/login\?next=/);
  });

  it('loads its script from the app, never inline', async () => {
    const viewer = await signedIn(a.users.viewer);
    const res = await viewer.agent.get(`/customers/${a.customerId}`);
    const scripts = [...res.text.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    for (const [, attrs, body] of scripts)
      expect({ attrs, body }).toEqual({ attrs: expect.stringMatching(/src="\/assets\//), body: '' });
    expect((await request(t.web).get('/assets/customer.js')).status).toBe(200);
  });

  it('is not reachable for another firm: 404 for its customers', async () => {
    const clerk = await signedIn(a.users.clerk);
    expect((await clerk.agent.get(`/customers/${b.customerId}`)).status).toBe(404);
  });
});
