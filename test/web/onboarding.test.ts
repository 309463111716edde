import { eq } from 'drizzle-orm';
import { customers } from '../../src/db/schema';
import { createTestApp, type TestApp } from '../support/app';
import { browser } from '../support/http';
import { PASSWORD, seedFirm, type Firm } from '../support/tenancy';

describe('starting onboarding by hand from the customer page', () => {
  let t: TestApp;
  let a: Firm;
  let b: Firm;
  beforeAll(async () => {
    t = await createTestApp({ now: () => new Date('2026-10-02T12:00:00Z') });
    a = await seedFirm(t.app, 'Onboard Page A');
    b = await seedFirm(t.app, 'Onboard Page B');
  });
  afterAll(() => t.close());

  const statusOf = async (id: string) =>
    (await t.app.db.select().from(customers).where(eq(customers.id, id)))[0]!.onboardingStatus;
  const signedIn = async (email: string) => {
    const s = browser(t.web);
    expect((await s.login(email, PASSWORD)).status).toBe(302);
    return s;
  };

  it('a clerk starts it once; a viewer cannot; another firm’s customer is not found', async () => {
    const page = `/customers/${a.customerId}`;
    const viewer = await signedIn(a.users.viewer);
    expect((await viewer.agent.get(page)).text).not.toContain('Start onboarding');
    expect((await viewer.postForm(`${page}/onboarding`, {}, page)).status).toBe(403);
    expect(await statusOf(a.customerId)).toBe('none');

    const clerk = await signedIn(a.users.clerk);
    expect((await clerk.agent.get(page)).text).toContain('Start onboarding');
    const res = await clerk.postForm(`${page}/onboarding`, {}, page);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(page);
    expect((await clerk.agent.get(page)).text).toContain('Onboarding started on the first open invoice');
    expect(await statusOf(a.customerId)).toBe('active');
    expect((await clerk.agent.get(page)).text).not.toContain('Start onboarding');

    const other = await clerk.postForm(`/customers/${b.customerId}/onboarding`, {}, page);
    expect(other.status).toBe(404);
    expect(await statusOf(b.customerId)).toBe('none');
  });
});
