import { eq } from 'drizzle-orm';
import { disputes, promises } from '../../src/db/schema';
import { CASES_PER_HOUR } from '../../src/web/routes/portal/casesLimiter';
import { createTestApp, type TestApp } from '../support/app';
import { csrfFrom } from '../support/http';
import { portalLink, portalVisitor } from '../support/portal';
import { seedFirm, type Firm } from '../support/tenancy';

jest.setTimeout(120_000);

describe('portal: cases per link and hour (promises, disputes, replies)', () => {
  let t: TestApp;
  let f: Firm;
  beforeAll(async () => {
    t = await createTestApp({ now: () => new Date('2026-11-20T15:00:00Z') });
    f = await seedFirm(t.app, 'Portal Case Limit');
  });
  afterAll(() => t.close());

  const count = async (table: typeof promises | typeof disputes) =>
    (await t.app.db.select({ id: table.id }).from(table).where(eq(table.organizationId, f.id))).length;

  it(`takes ${CASES_PER_HOUR} cases from one link in an hour, then a "slow down" page that records nothing`, async () => {
    const v = await portalVisitor(t.web, (await portalLink(t.app, f.id, f.customerId)).token);
    const csrf = csrfFrom((await v.get('/portal/promise')).text);
    const promise = (i: number) =>
      v.agent
        .post('/portal/promise')
        .set('X-Forwarded-For', v.ip)
        .type('form')
        .send({
          _csrf: csrf,
          invoiceIds: f.invoiceId,
          amount: '100.00',
          promisedDate: `2026-12-${String(1 + (i % 20)).padStart(2, '0')}`,
        });
    for (let i = 0; i < CASES_PER_HOUR; i++) expect((await promise(i)).status).toBe(200);
    const promisesBefore = await count(promises);
    const disputesBefore = await count(disputes);

    const limited = await promise(CASES_PER_HOUR);
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toMatch(/^[1-9]\d*$/);
    expect(limited.text).toContain('Please slow down');
    // a dispute counts against the same allowance
    const dispute = await v.agent
      .post('/portal/disputes')
      .set('X-Forwarded-For', v.ip)
      .field('_csrf', csrf)
      .field('topic', 'dispute:pricing')
      .field('invoiceIds', f.invoiceId)
      .field('message', 'Wrong price');
    expect(dispute.status).toBe(429);
    expect(await count(promises)).toBe(promisesBefore);
    expect(await count(disputes)).toBe(disputesBefore);

    // pages still open, and another link of the customer has its own allowance
    expect((await v.get('/portal')).status).toBe(200);
    const other = await portalVisitor(t.web, (await portalLink(t.app, f.id, f.customerId)).token);
    const res = await other.post(
      '/portal/promise',
      { invoiceIds: f.invoiceId, amount: '50.00', promisedDate: '2026-12-10' },
      '/portal/promise',
    );
    expect(res.status).toBe(200);
    expect(res.text).toContain('your promise is noted');
  });
});
