import request from 'supertest';
import { OrgScope } from '../../src/db/scope';
import { listApiTokens } from '../../src/services/apiTokens';
import { createTestApp, type TestApp } from '../support/app';
import { browser } from '../support/http';
import { expectIsolation, PASSWORD, seedFirm, type Firm } from '../support/tenancy';

describe('tenant isolation', () => {
  let t: TestApp;
  let a: Firm;
  let b: Firm;
  beforeAll(async () => {
    t = await createTestApp();
    a = await seedFirm(t.app, 'Alpha Accounting');
    b = await seedFirm(t.app, 'Bravo Books');
  });
  afterAll(() => t.close());

  it('keeps every record of firm B out of reach of firm A, through pages and the API', async () => {
    await expectIsolation(t.web, a, b, {
      api: [(f) => `/api/v1/customers/${f.customerId}`, (f) => `/api/v1/invoices/${f.invoiceId}`],
      apiLists: [
        { path: '/api/v1/customers', ids: (f) => [f.customerId] },
        { path: '/api/v1/invoices?status=all', ids: (f) => [f.invoiceId] },
        { path: '/api/v1/invoices?status=open', ids: (f) => [f.invoiceId] },
      ],
    });
  });

  it("returns 404, not someone else's row, when filtering invoices by another firm's customer", async () => {
    const res = await request(t.web)
      .get(`/api/v1/invoices?customerId=${b.customerId}`)
      .set('Authorization', `Bearer ${a.token}`);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([]);
  });

  it("does not let a clerk of A revoke B's API token", async () => {
    const bTokens = await listApiTokens(new OrgScope(t.app.db, b.id));
    const admin = browser(t.web);
    await admin.login(a.users.admin, PASSWORD);
    const res = await admin.postForm(`/settings/tokens/${bTokens[0]!.id}/revoke`, {}, '/settings/tokens');
    expect(res.status).toBe(404);
    const after = await listApiTokens(new OrgScope(t.app.db, b.id));
    expect(after[0]!.revokedAt).toBeNull();
  });
});
