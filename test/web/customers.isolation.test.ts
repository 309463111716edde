import { eq } from 'drizzle-orm';
import { activities, contacts, customers, disputes, emails, portalTokens } from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { createTestApp, type TestApp } from '../support/app';
import { browser } from '../support/http';
import { expectIsolation, PASSWORD, seedFirm, type Firm } from '../support/tenancy';

const NOW = new Date('2026-11-20T15:00:00Z');

/** Every customers route, page or form, with another firm's (or another customer's) ids: 404, nothing changed. */
describe('customers pages: tenant isolation', () => {
  let t: TestApp;
  let a: Firm;
  let b: Firm;
  beforeAll(async () => {
    t = await createTestApp({ now: () => NOW });
    a = await seedFirm(t.app, 'Juliet Joinery');
    b = await seedFirm(t.app, 'Kilo Kitchens');
    for (const f of [a, b]) {
      const scope = new OrgScope(t.app.db, f.id);
      const [k] = await scope
        .insert(contacts, { customerId: f.customerId, name: `Pat ${f.slug}`, email: `pat@${f.slug}.example` })
        .returning({ id: contacts.id });
      f.extra.contactId = k!.id;
      const [d] = await scope
        .insert(disputes, {
          customerId: f.customerId,
          reference: 'D-1',
          kind: 'dispute',
          category: 'pricing',
          source: 'clerk',
          firstResponseDueAt: NOW,
        })
        .returning({ id: disputes.id });
      f.extra.disputeId = d!.id;
      await scope.insert(activities, {
        customerId: f.customerId,
        kind: 'note',
        actorType: 'system',
        body: `secret note of ${f.slug}`,
      });
    }
  });
  afterAll(() => t.close());

  it('gives a clerk of A a 404 for every page and CSV of B’s customer', async () => {
    await expectIsolation(t.web, a, b, {
      pages: [
        (f) => `/customers/${f.customerId}`,
        ...['invoices', 'contacts', 'promises', 'disputes', 'timeline'].map(
          (table) => (f: Firm) => `/customers/${f.customerId}/${table}.csv`,
        ),
      ],
    });
  });

  it('never lists B’s customers in A’s list or its CSV, whatever the search', async () => {
    const clerk = browser(t.web);
    await clerk.login(a.users.clerk, PASSWORD);
    for (const path of ['/customers', '/customers?q=Kilo', '/customers.csv', '/customers.csv?q=kilo']) {
      const res = await clerk.agent.get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      expect(res.text).not.toContain(b.customerId);
      expect(res.text).not.toContain('Kilo Kitchens');
    }
  });

  it('answers 404 to every form posted at B’s customer and changes nothing', async () => {
    const clerk = browser(t.web);
    await clerk.login(a.users.clerk, PASSWORD);
    const forms: [string, Record<string, string>][] = [
      ['pause', { until: '2026-12-31', reason: 'x' }],
      ['resume', {}],
      ['sequence', { sequenceKey: 'firm' }],
      ['tags', { tags: 'stolen' }],
      ['pilot', { pilot: 'on' }],
      ['notes', { text: 'hello' }],
      ['calls', { outcome: 'reached' }],
      ['promises', { amount: '1.00', promisedDate: '2026-11-25', invoiceIds: b.invoiceId }],
      ['disputes', { kind: 'dispute', category: 'pricing', message: 'x', invoiceIds: b.invoiceId }],
      [`disputes/${b.extra.disputeId}/reply`, { body: 'x' }],
      ['portal-link', { contactId: b.extra.contactId! }],
      ['portal-links/revoke', {}],
    ];
    const before = JSON.stringify(
      await t.app.db.select().from(customers).where(eq(customers.id, b.customerId)),
    );
    for (const [path, form] of forms) {
      const res = await clerk.postForm(
        `/customers/${b.customerId}/${path}`,
        form,
        `/customers/${a.customerId}`,
      );
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expect(res.text).not.toContain(b.slug);
    }
    // B's ids smuggled into A's own customer's forms
    const smuggled: [string, Record<string, string>][] = [
      ['portal-link', { contactId: b.extra.contactId! }],
      [`disputes/${b.extra.disputeId}/reply`, { body: 'x' }],
    ];
    for (const [path, form] of smuggled) {
      const res = await clerk.postForm(
        `/customers/${a.customerId}/${path}`,
        form,
        `/customers/${a.customerId}`,
      );
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
    }
    const bad = await clerk.postForm(
      `/customers/${a.customerId}/notes`,
      { text: 'x', invoiceIds: b.invoiceId },
      `/customers/${a.customerId}`,
    );
    expect(bad.status).toBe(400);
    expect(
      JSON.stringify(await t.app.db.select().from(customers).where(eq(customers.id, b.customerId))),
    ).toBe(before);
    const bScope = new OrgScope(t.app.db, b.id);
    expect((await bScope.select(activities)).map((x) => x.kind)).toEqual(['note']);
    expect(await bScope.select(portalTokens)).toEqual([]);
    expect(await t.app.db.select().from(emails).where(eq(emails.organizationId, b.id))).toEqual([]);
  });

  it('gives an admin of A a 404 for data requests on B’s contacts, or on a contact of another customer', async () => {
    const admin = browser(t.web);
    await admin.login(a.users.admin, PASSWORD);
    const own = `/customers/${a.customerId}/contacts/${a.extra.contactId}`;
    expect((await admin.agent.get(`${own}/export`)).status).toBe(200);
    expect((await admin.agent.get(`${own}/erase`)).status).toBe(200);
    for (const path of [
      `/customers/${b.customerId}/contacts/${b.extra.contactId}`,
      `/customers/${a.customerId}/contacts/${b.extra.contactId}`,
      `/customers/${b.customerId}/contacts/${a.extra.contactId}`,
      `/customers/${a.customerId}/contacts/not-a-uuid`,
    ]) {
      const exp = await admin.agent.get(`${path}/export`);
      expect({ path, status: exp.status }).toEqual({ path, status: 404 });
      expect(exp.text).not.toContain(`pat@${b.slug}`);
      expect((await admin.agent.get(`${path}/erase`)).status).toBe(404);
      const erase = await admin.postForm(`${path}/erase`, { confirm: 'ERASE' }, `${own}/erase`);
      expect({ path, status: erase.status }).toEqual({ path, status: 404 });
    }
    const [theirs] = await t.app.db.select().from(contacts).where(eq(contacts.id, b.extra.contactId!));
    expect(theirs).toMatchObject({ email: `pat@${b.slug}.example`, erasedAt: null });
  });
});
