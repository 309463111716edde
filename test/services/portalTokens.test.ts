import crypto from 'node:crypto';
import { eq } from 'drizzle-orm';
import { portalTokens } from '../../src/db/schema';
import { createTestApp, type TestApp } from '../support/app';
import { setSettings } from '../support/cases';
import { portalLink } from '../support/portal';
import { seedFirm, type Firm } from '../support/tenancy';

describe('portal link tokens', () => {
  let t: TestApp;
  let f: Firm;
  beforeAll(async () => {
    t = await createTestApp({ now: () => new Date('2026-11-20T15:00:00Z') });
    f = await seedFirm(t.app, 'Portal Tokens');
  });
  afterAll(() => t.close());

  it('are random (256 bits), different every time, and kept only as a hash (and sealed), never in clear', async () => {
    const one = await portalLink(t.app, f.id, f.customerId);
    const two = await portalLink(t.app, f.id, f.customerId);
    expect(one.token).not.toBe(two.token);
    expect(Buffer.from(one.token, 'base64url').length).toBeGreaterThanOrEqual(16);
    expect(Buffer.from(one.token, 'base64url').length).toBe(32);

    const rows = await t.app.db.select().from(portalTokens).where(eq(portalTokens.organizationId, f.id));
    expect(rows).toHaveLength(2);
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(one.token);
    expect(stored).not.toContain(two.token);
    const row = rows.find((r) => r.id === one.tokenId)!;
    expect(row.tokenHash).toBe(crypto.createHash('sha256').update(one.token).digest('hex'));
    expect(row).toMatchObject({ customerId: f.customerId, revokedAt: null });
  });

  it('expire after the firm’s link lifetime (30 days unless the firm sets another)', async () => {
    const def = await portalLink(t.app, f.id, f.customerId);
    expect(def.expiresAt.toISOString()).toBe('2026-12-20T15:00:00.000Z');
    await setSettings(t.app, f, { portal: { linkTtlDays: 7 } });
    const week = await portalLink(t.app, f.id, f.customerId);
    expect(week.expiresAt.toISOString()).toBe('2026-11-27T15:00:00.000Z');
  });
});
