import request from 'supertest';
import { invoices } from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { createTestApp, type TestApp } from '../support/app';
import { seedFirm, type Firm } from '../support/tenancy';

describe('API v1', () => {
  let t: TestApp;
  let firm: Firm;
  beforeAll(async () => {
    t = await createTestApp({ now: () => new Date('2026-11-20T12:00:00Z') });
    firm = await seedFirm(t.app, 'Epsilon Estates');
    const scope = new OrgScope(t.app.db, firm.id);
    const rows = Array.from({ length: 7 }, (_, i) => ({
      connectionId: firm.connectionId,
      externalId: `x${i}`,
      customerId: firm.customerId,
      number: `INV-X${i}`,
      currency: 'JPY',
      issueDate: '2026-09-01',
      dueDate: [
        '2026-11-19',
        '2026-10-21',
        '2026-10-20',
        '2026-08-22',
        '2026-08-21',
        '2026-12-01',
        '2026-11-20',
      ][i]!,
      total: '5000',
      balance: i === 6 ? '0' : '5000',
      status: (i === 6 ? 'paid' : 'open') as 'paid' | 'open',
      platformStatus: 'x',
    }));
    await scope.insert(invoices, rows);
  });
  afterAll(() => t.close());

  const get = (path: string, token = firm.token) =>
    request(t.web).get(path).set('Authorization', `Bearer ${token}`);

  it('answers 401 with the JSON error shape without a valid token', async () => {
    for (const res of [
      await request(t.web).get('/api/v1/invoices'),
      await get('/api/v1/invoices', 'duely_not-a-real-token'),
    ]) {
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: { code: 'unauthenticated', message: expect.any(String) } });
    }
  });

  it('pages through invoices with limit and cursor, each once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(`/api/v1/invoices?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.data.length).toBeLessThanOrEqual(3);
      seen.push(...res.body.data.map((i: { id: string }) => i.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(8);
    expect(new Set(seen).size).toBe(8);
  });

  it('rejects a limit over 500 and a bad status with a clear message', async () => {
    const big = await get('/api/v1/invoices?limit=501');
    expect(big.status).toBe(400);
    expect(big.body.error.message).toMatch(/limit must be at most 500/);
    const bad = await get('/api/v1/invoices?status=late');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/status must be open, paid, voided or all/);
  });

  it('reports days overdue and aging buckets counted from the due date, money in minor units', async () => {
    const res = await get('/api/v1/invoices?status=open&limit=500');
    const byNumber = Object.fromEntries(res.body.data.map((i: { number: string }) => [i.number, i]));
    expect(byNumber['INV-X0']).toMatchObject({
      daysOverdue: 1,
      agingBucket: '1-30',
      total: '5000',
      balance: '5000',
      currency: 'JPY',
    });
    expect(byNumber['INV-X1']).toMatchObject({ daysOverdue: 30, agingBucket: '1-30' });
    expect(byNumber['INV-X2']).toMatchObject({ daysOverdue: 31, agingBucket: '31-60' });
    expect(byNumber['INV-X3']).toMatchObject({ daysOverdue: 90, agingBucket: '61-90' });
    expect(byNumber['INV-X4']).toMatchObject({ daysOverdue: 91, agingBucket: '90+' });
    expect(byNumber['INV-X5']).toMatchObject({ daysOverdue: 0, agingBucket: 'current' });
    expect(byNumber['INV-X6']).toBeUndefined();
    expect(byNumber['INV-1']).toMatchObject({
      total: '1200.00',
      platform: 'quickbooks',
      status: 'open',
      issueDate: '2026-10-01',
      dueDate: '2026-10-31',
    });
  });

  it('lists customers with open and overdue balances', async () => {
    const res = await get('/api/v1/customers');
    expect(res.status).toBe(200);
    expect(res.body.data[0]).toMatchObject({
      id: firm.customerId,
      platform: 'quickbooks',
      externalId: '1',
      name: 'Epsilon Estates Customer',
    });
    expect(Number(res.body.data[0].balance)).toBe(1200 + 6 * 5000);
    expect(Number(res.body.data[0].overdueBalance)).toBe(1200 + 5 * 5000);
  });

  it('documents itself at /api/v1/openapi.json', async () => {
    const res = await request(t.web).get('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/customers', '/invoices']));
  });

  it('answers an unknown endpoint with the JSON error', async () => {
    const res = await get('/api/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });
});
