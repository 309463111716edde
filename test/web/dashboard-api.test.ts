import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import request from 'supertest';
import { invoices } from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { createTestApp, type TestApp } from '../support/app';
import { expectIsolation, seedFirm, type Firm } from '../support/tenancy';

describe('API v1 reports', () => {
  let t: TestApp;
  let a: Firm;
  let b: Firm;
  beforeAll(async () => {
    t = await createTestApp({ now: () => new Date('2026-11-20T12:00:00Z') });
    a = await seedFirm(t.app, 'Alpha Accounts'); // INV-1 1200.00 USD issued 10-01, due 10-31
    b = await seedFirm(t.app, 'Beta Books');
    const base = { currency: 'USD', status: 'open' as const, platformStatus: 'x' };
    await new OrgScope(t.app.db, a.id).insert(invoices, [
      {
        ...base,
        connectionId: a.connectionId,
        customerId: a.customerId,
        externalId: 'a2',
        issueDate: '2026-11-01',
        dueDate: '2026-12-01',
        total: '800.00',
        balance: '800.00',
      },
      {
        ...base,
        connectionId: a.connectionId,
        customerId: a.customerId,
        externalId: 'a3',
        issueDate: '2026-06-01',
        dueDate: '2026-07-01',
        total: '300.00',
        balance: '300.00',
      },
    ]);
    // firm B's much larger receivables must never show in A's figures
    await new OrgScope(t.app.db, b.id).insert(invoices, {
      ...base,
      connectionId: b.connectionId,
      customerId: b.customerId,
      externalId: 'b2',
      issueDate: '2026-09-01',
      dueDate: '2026-09-15',
      total: '99999.00',
      balance: '99999.00',
    });
  });
  afterAll(() => t.close());

  const get = (path: string, token = a.token) =>
    request(t.web).get(path).set('Authorization', `Bearer ${token}`);

  it('answers the aging report in the shape of CONTRACT §3, with the firm’s figures', async () => {
    const res = await get('/api/v1/reports/aging?asOf=2026-11-20');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      asOf: '2026-11-20',
      currency: 'USD',
      buckets: { current: '800.00', '1-30': '1200.00', '31-60': '0.00', '61-90': '0.00', '90+': '300.00' },
      total: '2300.00',
      byCustomer: [
        {
          customerId: a.customerId,
          name: 'Alpha Accounts Customer',
          buckets: {
            current: '800.00',
            '1-30': '1200.00',
            '31-60': '0.00',
            '61-90': '0.00',
            '90+': '300.00',
          },
          total: '2300.00',
        },
      ],
      byCurrency: [],
    });
  });

  it('defaults asOf to today and answers the metrics report in the shape of CONTRACT §3', async () => {
    const aging = await get('/api/v1/reports/aging');
    expect(aging.body.asOf).toBe('2026-11-20');
    const res = await get('/api/v1/reports/metrics?from=2026-09-01&to=2026-11-30');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(
      ['add', 'bestPossibleDso', 'cei', 'currency', 'dso', 'from', 'promiseKeptRate', 'to', 'trend'].sort(),
    );
    // sales 1200 + 800 = 2000 over 91 days; AR 2300, of which 800 current; AR at 08-31: 300
    expect(res.body).toMatchObject({
      from: '2026-09-01',
      to: '2026-11-30',
      currency: 'USD',
      // countback: Nov 800 (30 d), Oct 1200 (31 d), Sep, Aug, Jul nothing (30 + 31 + 31 d), June's 300 (30 d)
      dso: { standard: 104.7, countback: 183 },
      bestPossibleDso: 36.4,
      add: 68.3,
      cei: 0, // (300 + 2000 − 2300) / (300 + 2000 − 800)
      promiseKeptRate: null,
    });
    expect(res.body.trend).toHaveLength(6);
  });

  it('matches the OpenAPI description of both reports', async () => {
    const doc = (await request(t.web).get('/api/v1/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/reports/aging', '/reports/metrics']));
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema(doc, 'openapi');
    for (const [path, schema] of [
      ['/api/v1/reports/aging', 'AgingReport'],
      ['/api/v1/reports/metrics', 'MetricsReport'],
    ] as const) {
      const validate = ajv.getSchema(`openapi#/components/schemas/${schema}`)!;
      const body = (await get(path)).body;
      expect({ schema, valid: validate(body), errors: validate.errors ?? null }).toEqual({
        schema,
        valid: true,
        errors: null,
      });
    }
  });

  it('answers 400 with a clear message for bad dates', async () => {
    const cases: [string, RegExp][] = [
      ['/api/v1/reports/aging?asOf=2026-02-30', /asOf: must be a date written YYYY-MM-DD, got "2026-02-30"/],
      ['/api/v1/reports/aging?asOf=20.11.2026', /asOf: must be a date written YYYY-MM-DD/],
      ['/api/v1/reports/aging?asOf=2026-11-01&asOf=2026-11-02', /asOf must be a date written YYYY-MM-DD/],
      ['/api/v1/reports/metrics?from=2026-11-31', /from: must be a date written YYYY-MM-DD/],
      ['/api/v1/reports/metrics?to=tomorrow', /to: must be a date written YYYY-MM-DD/],
      [
        '/api/v1/reports/metrics?from=2026-11-02&to=2026-11-01',
        /from \(2026-11-02\) is after to \(2026-11-01\)/,
      ],
    ];
    for (const [path, message] of cases) {
      const res = await get(path);
      expect({ path, status: res.status, code: res.body.error?.code }).toEqual({
        path,
        status: 400,
        code: 'invalid_request',
      });
      expect(res.body.error.message).toMatch(message);
    }
  });

  it('answers 401 without a token', async () => {
    for (const path of ['/api/v1/reports/aging', '/api/v1/reports/metrics']) {
      const res = await request(t.web).get(path);
      expect(res.status).toBe(401);
    }
  });

  it('keeps each firm’s figures to itself', async () => {
    await expectIsolation(t.web, a, b, {
      apiLists: [
        { path: '/api/v1/reports/aging', ids: (f) => [f.customerId] },
        { path: '/api/v1/reports/aging?asOf=2026-12-31', ids: (f) => [f.customerId] },
      ],
    });
    const aAging = (await get('/api/v1/reports/aging')).body;
    const bAging = (await get('/api/v1/reports/aging', b.token)).body;
    expect([aAging.total, bAging.total]).toEqual(['2300.00', '101199.00']);
    const aMetrics = (await get('/api/v1/reports/metrics?from=2026-09-01&to=2026-11-30')).body;
    const bMetrics = (await get('/api/v1/reports/metrics?from=2026-09-01&to=2026-11-30', b.token)).body;
    expect(aMetrics.trend.map((p: { ar: string }) => p.ar)).toEqual([
      '300.00',
      '300.00',
      '300.00',
      '300.00',
      '1500.00',
      '2300.00',
    ]);
    expect(bMetrics.trend.at(-1).ar).toBe('101199.00');
  });
});
