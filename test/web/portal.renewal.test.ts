import crypto from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import request from 'supertest';
import { activities, contacts, customers, emails, portalTokens } from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { PORTAL_LIMITS } from '../../src/web/routes/portal';
import { createTestApp, type TestApp } from '../support/app';
import { csrfFrom } from '../support/http';
import { formBody, portalLink, randomIp, tokenOf } from '../support/portal';
import { seedFirm, type Firm } from '../support/tenancy';

describe('portal: "send me a new link"', () => {
  let t: TestApp;
  let a: Firm;
  let b: Firm;
  const unique = () => crypto.randomBytes(5).toString('hex');

  beforeAll(async () => {
    t = await createTestApp();
    a = await seedFirm(t.app, 'Renew Alpha');
    b = await seedFirm(t.app, 'Renew Beta');
  });
  afterAll(() => t.close());

  async function contactOf(firm: Firm, email: string, extra: Partial<typeof contacts.$inferInsert> = {}) {
    const [row] = await new OrgScope(t.app.db, firm.id)
      .insert(contacts, { customerId: firm.customerId, email, name: 'Pat Payer', role: 'billing', ...extra })
      .returning({ id: contacts.id });
    return row!.id;
  }

  /** A visitor whose link has expired: the renewal page (with its CSRF token) for firm `firm`. */
  async function expiredVisitor(firm: Firm | null, ip = randomIp()) {
    const agent = request.agent(t.web);
    let page;
    if (firm) {
      const link = await portalLink(t.app, firm.id, firm.customerId);
      await t.app.db
        .update(portalTokens)
        .set({ revokedAt: new Date() })
        .where(eq(portalTokens.id, link.tokenId));
      page = await agent.get(`/p/${link.token}`).set('X-Forwarded-For', ip);
      expect(page.status).toBe(401);
    } else {
      page = await agent.get(`/p/${'n'.repeat(43)}`).set('X-Forwarded-For', ip);
      expect(page.status).toBe(404);
    }
    const csrf = csrfFrom(page.text);
    return {
      renew: (email: string) =>
        agent
          .post('/portal/renew')
          .set('X-Forwarded-For', ip)
          .type('form')
          .send(formBody({ email, _csrf: csrf })),
    };
  }

  const mailsTo = (address: string) => t.app.db.select().from(emails).where(eq(emails.toAddress, address));

  it('answers the same for a known and an unknown address, and e-mails one working link to the known one', async () => {
    const known = `pat.${unique()}@alpha.example`;
    const contactId = await contactOf(a, known);
    const visitor = await expiredVisitor(a);
    const forKnown = await visitor.renew(known.toUpperCase());
    const forUnknown = await visitor.renew(`nobody.${unique()}@alpha.example`);
    expect(forKnown.status).toBe(200);
    expect(forUnknown.status).toBe(200);
    expect(forKnown.text).toBe(forUnknown.text);
    expect(forKnown.text).toContain('If that address is on file with us');

    const sent = await mailsTo(known);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.kind).toBe('portal_link');
    expect(sent[0]!.organizationId).toBe(a.id);
    expect(sent[0]!.subject).toBe('Your link to the Renew Alpha customer portal');
    const url = /http:\/\/localhost:\d+\/p\/[A-Za-z0-9_-]+/.exec(sent[0]!.text)![0];
    expect(sent[0]!.html).toContain(url);
    const [token] = await t.app.db
      .select()
      .from(portalTokens)
      .where(and(eq(portalTokens.origin, 'renewal'), eq(portalTokens.contactId, contactId)));
    expect(token!.customerId).toBe(a.customerId);
    // the new link opens the customer's portal
    const agent = request.agent(t.web);
    expect((await agent.get(`/p/${tokenOf(url)}`)).status).toBe(303);
    const list = await agent.get('/portal');
    expect(list.status).toBe(200);
    expect(list.text).toContain('INV-1');
    const timeline = await new OrgScope(t.app.db, a.id).select(
      activities,
      eq(activities.kind, 'portal.link_sent'),
    );
    expect(timeline.map((r) => [r.actorType, r.data.origin])).toEqual([['customer', 'renewal']]);
  });

  it('uses the customer’s own address too, but never an erased or bounced contact', async () => {
    const own = `own.${unique()}@beta.example`;
    await new OrgScope(t.app.db, b.id).update(customers, { email: own }, eq(customers.id, b.customerId));
    const bounced = `bounced.${unique()}@beta.example`;
    await contactOf(b, bounced, { emailStatus: 'bounced' });
    const erased = `erased.${unique()}@beta.example`;
    await contactOf(b, erased, { erasedAt: new Date() });
    const visitor = await expiredVisitor(b);
    for (const address of [own, bounced, erased]) expect((await visitor.renew(address)).status).toBe(200);
    expect(await mailsTo(own)).toHaveLength(1);
    expect(await mailsTo(bounced)).toHaveLength(0);
    expect(await mailsTo(erased)).toHaveLength(0);
  });

  it('looks in the firm of the expired link only, and across firms when the link is unknown', async () => {
    const shared = `shared.${unique()}@example.com`;
    await contactOf(a, shared);
    await contactOf(b, shared);
    await (await expiredVisitor(a)).renew(shared);
    expect((await mailsTo(shared)).map((m) => m.organizationId)).toEqual([a.id]);
    await (await expiredVisitor(null)).renew(shared);
    const all = (await mailsTo(shared)).map((m) => m.organizationId).sort();
    expect(all).toEqual([a.id, a.id, b.id].sort());
  });

  it('rejects a malformed address with a clear message and sends nothing', async () => {
    const visitor = await expiredVisitor(a);
    const res = await visitor.renew('not an address');
    expect(res.status).toBe(400);
    expect(res.text).toContain('Enter the e-mail address we write to');
    expect(res.text).toContain('value="not an address"');
  });

  it('needs the form’s CSRF token', async () => {
    const known = `csrf.${unique()}@alpha.example`;
    await contactOf(a, known);
    const res = await request(t.web).post('/portal/renew').type('form').send({ email: known });
    expect(res.status).toBe(403);
    expect(await mailsTo(known)).toHaveLength(0);
  });

  it('limits requests per address (same answer, no more e-mail) and per IP (429)', async () => {
    const known = `busy.${unique()}@alpha.example`;
    await contactOf(a, known);
    const visitor = await expiredVisitor(a);
    const answers = new Set<string>();
    for (let i = 0; i < PORTAL_LIMITS.renewalsPerAddressPerHour + 2; i++) {
      const res = await visitor.renew(known);
      expect(res.status).toBe(200);
      answers.add(res.text);
    }
    expect(answers.size).toBe(1);
    expect(await mailsTo(known)).toHaveLength(PORTAL_LIMITS.renewalsPerAddressPerHour);

    const ip = randomIp();
    const fromOneIp = await expiredVisitor(a, ip);
    const statuses: number[] = [];
    for (let i = 0; i < PORTAL_LIMITS.renewalsPerIpPerHour; i++)
      statuses.push((await fromOneIp.renew(`x${i}.${unique()}@nowhere.example`)).status);
    expect(new Set(statuses)).toEqual(new Set([200]));
    const last = await fromOneIp.renew(known);
    expect(last.status).toBe(429);
    expect(last.headers['retry-after']).toMatch(/^\d+$/);
    expect(last.text).toContain('Please slow down');
  });
});
