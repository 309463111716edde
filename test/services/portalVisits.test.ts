import { and, eq } from 'drizzle-orm';
import { activities } from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { recordPortalVisit } from '../../src/services/portal/visits';
import { createTestApp, type TestApp } from '../support/app';
import { seedFirm, type Firm } from '../support/tenancy';

describe('portal visits on the timeline', () => {
  let t: TestApp;
  let a: Firm;
  let b: Firm;
  beforeAll(async () => {
    t = await createTestApp();
    a = await seedFirm(t.app, 'Visits Alpha');
    b = await seedFirm(t.app, 'Visits Beta');
  });
  afterAll(() => t.close());

  const visit = (firm: Firm, visitKey: string, day: string) =>
    recordPortalVisit(new OrgScope(t.app.db, firm.id), {
      customerId: firm.customerId,
      tokenId: 'token-id',
      visitKey,
      day,
      path: '/portal',
    });
  const visitsOf = async (firm: Firm) =>
    (
      await new OrgScope(t.app.db, firm.id).select(
        activities,
        and(eq(activities.customerId, firm.customerId), eq(activities.kind, 'portal.visit')),
      )
    ).map((r) => r.data);

  it('records one visit for a session and day however many requests arrive at once', async () => {
    const recorded = await Promise.all(Array.from({ length: 10 }, () => visit(a, 'session-1', '2026-11-23')));
    expect(recorded.filter(Boolean)).toHaveLength(1);
    expect(await visitsOf(a)).toEqual([
      expect.objectContaining({ visitKey: 'session-1', day: '2026-11-23' }),
    ]);
  });

  it('records the next day, another session, and another firm’s session with the same key separately', async () => {
    expect(await visit(a, 'session-1', '2026-11-24')).toBe(true);
    expect(await visit(a, 'session-2', '2026-11-23')).toBe(true);
    expect(await visit(b, 'session-1', '2026-11-23')).toBe(true);
    expect(await visitsOf(a)).toHaveLength(3);
    expect(await visitsOf(b)).toHaveLength(1);
  });
});
