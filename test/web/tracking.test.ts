import { and, eq } from 'drizzle-orm';
import request from 'supertest';
import { activities, emails, messages, organizations } from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { clickUrl } from '../../src/mail/tracking';
import { updateTracking } from '../../src/services/delivery/trackingSettings';
import { runForFirm } from '../../src/services/reminders/run';
import { createTestApp, type TestApp } from '../support/app';
import { seedFirm, type Firm } from '../support/tenancy';

describe('opt-in open and click tracking', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ now: () => new Date('2026-11-03T18:00:00Z') });
  });
  afterAll(() => t.close());

  async function reminded(name: string, tracking?: { opens: boolean; clicks: boolean }) {
    const f: Firm = await seedFirm(t.app, name);
    await t.app.db.update(organizations).set({ automation: 'live' }).where(eq(organizations.id, f.id));
    if (tracking) await updateTracking(new OrgScope(t.app.db, f.id), tracking, { type: 'system', id: null });
    await runForFirm(t.app, f.slug, '2026-11-03');
    await t.app.queue.drain();
    const [email] = await t.app.db.select().from(emails).where(eq(emails.organizationId, f.id));
    const [msg] = await t.app.db.select().from(messages).where(eq(messages.organizationId, f.id));
    return { f, email: email!, msg: msg! };
  }
  const kinds = async (orgId: string, kind: string) =>
    (
      await t.app.db
        .select()
        .from(activities)
        .where(and(eq(activities.organizationId, orgId), eq(activities.kind, kind)))
    ).length;
  const local = (u: string) => u.replace('http://localhost:3000', '');

  it('is off by default: no pixel, links go straight to their targets', async () => {
    const { email } = await reminded('Tracking Off');
    expect(email.html).not.toContain('/t/o/');
    expect(email.html).not.toContain('/t/c/');
    expect(email.html).toMatch(/href="http:\/\/localhost:3000\/p\/[A-Za-z0-9_-]+"/);
  });

  it('records the first open once, from the pixel', async () => {
    const { f, email, msg } = await reminded('Tracking Opens', { opens: true, clicks: false });
    expect(email.html).not.toContain('/t/c/');
    const pixel = /src="(http:\/\/localhost:3000\/t\/o\/[A-Za-z0-9_-]+\.gif)"/.exec(email.html!)![1]!;
    expect(email.text).not.toContain('/t/o/');
    for (let i = 0; i < 2; i++) {
      const res = await request(t.web).get(local(pixel));
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('image/gif');
      expect(res.headers['cache-control']).toMatch(/no-store/);
    }
    const [after] = await t.app.db.select().from(messages).where(eq(messages.id, msg.id));
    expect(after!.openedAt).toEqual(new Date('2026-11-03T18:00:00Z'));
    expect(await kinds(f.id, 'message.opened')).toBe(1);
    // a forged pixel is nobody's open
    expect((await request(t.web).get(local(pixel).replace(/.{3}\.gif$/, 'AAA.gif'))).status).toBe(404);
  });

  it('redirects a click only to a URL that message carried, and records it once', async () => {
    const a = await reminded('Tracking Clicks', { opens: true, clicks: true });
    const b = await reminded('Tracking Other', { opens: true, clicks: true });
    const links = [...a.email.html!.matchAll(/href="(http:\/\/localhost:3000\/t\/c\/[^"]+)"/g)].map((m) =>
      m[1]!.replace(/&amp;/g, '&'),
    );
    expect(links.length).toBeGreaterThan(0);
    // the unsubscribe link is never wrapped
    expect(a.email.html).toMatch(/href="http:\/\/localhost:3000\/u\/[A-Za-z0-9_-]+"/);

    const first = await request(t.web).get(local(links[0]!));
    expect(first.status).toBe(302);
    expect(first.headers.location).toMatch(/^http:\/\/localhost:3000\/p\/[A-Za-z0-9_-]+$/);
    expect((await request(t.web).get(local(links[0]!))).status).toBe(302);
    const [after] = await t.app.db.select().from(messages).where(eq(messages.id, a.msg.id));
    expect(after).toMatchObject({ clickedAt: expect.any(Date), openedAt: expect.any(Date) });
    expect(await kinds(a.f.id, 'message.clicked')).toBe(1);

    // no open redirect: another target, or another message's signed URL, goes nowhere
    const [path, query] = local(links[0]!).split('?u=');
    const foreign = /\?u=([^"&]+)/.exec(b.email.html!.replace(/&amp;/g, '&'))![1]!;
    const evil = clickUrl('http://localhost:3000', 'not-the-secret', a.msg.id, 'https://evil.example/');
    for (const u of [
      `${path}?u=${foreign}`,
      `${path}?u=${Buffer.from('https://evil.example/').toString('base64url')}.${query!.split('.')[1]}`,
      local(evil),
      `${path}`,
    ]) {
      const res = await request(t.web).get(u);
      expect({ u, status: res.status, location: res.headers.location }).toEqual({
        u,
        status: 404,
        location: undefined,
      });
    }
    const [bAfter] = await t.app.db.select().from(messages).where(eq(messages.id, b.msg.id));
    expect(bAfter!.clickedAt).toBeNull();
  });
});
