import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import request from 'supertest';
import { promises } from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { openDispute } from '../../src/services/disputes';
import { createPromise } from '../../src/services/promises';
import { createTestApp, type TestApp } from '../support/app';
import { movableClock } from '../support/cases';
import { expectIsolation, seedFirm, type Firm } from '../support/tenancy';

const PORTAL = { actor: { type: 'customer' as const, id: null }, source: 'portal' as const };

describe('API: promises and disputes', () => {
  const clock = movableClock('2026-11-17T15:00:00Z');
  let t: TestApp;
  let a: Firm;
  let b: Firm;

  async function seedCases(f: Firm): Promise<void> {
    const scope = new OrgScope(t.app.db, f.id);
    const p = await createPromise(
      t.app,
      scope,
      { customerId: f.customerId, invoiceIds: [f.invoiceId], amount: '400', promisedDate: '2026-11-30' },
      PORTAL,
    );
    const d = await openDispute(
      t.app,
      scope,
      {
        customerId: f.customerId,
        kind: 'dispute',
        category: 'quantity',
        invoiceIds: [f.invoiceId],
        message: 'Two boxes short.',
      },
      PORTAL,
    );
    f.extra.promiseId = p.id;
    f.extra.disputeId = d.id;
  }

  beforeAll(async () => {
    t = await createTestApp({ now: clock.now });
    a = await seedFirm(t.app, 'Api Cases A');
    b = await seedFirm(t.app, 'Api Cases B');
    await seedCases(a);
    await seedCases(b);
  });
  afterAll(() => t.close());

  const get = (path: string, f: Firm = a) =>
    request(t.web).get(path).set('Authorization', `Bearer ${f.token}`);
  const post = (path: string, body: unknown, f: Firm = a) =>
    request(t.web)
      .post(path)
      .set('Authorization', `Bearer ${f.token}`)
      .send(body as object);

  it("never shows or touches another firm's promises and disputes", async () => {
    await expectIsolation(t.web, a, b, {
      api: [(f) => `/api/v1/promises/${f.extra.promiseId}`, (f) => `/api/v1/disputes/${f.extra.disputeId}`],
      apiLists: [
        { path: '/api/v1/promises', ids: (f) => [f.extra.promiseId!] },
        { path: '/api/v1/promises?status=active', ids: (f) => [f.extra.promiseId!] },
        { path: '/api/v1/disputes', ids: (f) => [f.extra.disputeId!] },
        { path: '/api/v1/disputes?status=unresolved', ids: (f) => [f.extra.disputeId!] },
      ],
    });
    const reply = await post(`/api/v1/disputes/${b.extra.disputeId}/replies`, { body: 'hello' });
    expect(reply.status).toBe(404);
    const status = await post(`/api/v1/disputes/${b.extra.disputeId}/status`, {
      status: 'resolved',
      outcome: 'paid',
    });
    expect(status.status).toBe(404);
    const promise = await post('/api/v1/promises', {
      customerId: b.customerId,
      invoiceIds: [b.invoiceId],
      amount: '10',
      promisedDate: '2026-11-30',
    });
    expect(promise.status).toBe(404);
    expect((await get(`/api/v1/disputes/${b.extra.disputeId}`, b)).body.status).toBe('open');
  });

  it('needs a token', async () => {
    expect((await request(t.web).get('/api/v1/promises')).status).toBe(401);
    expect((await request(t.web).post('/api/v1/disputes/x/replies').send({ body: 'x' })).status).toBe(401);
  });

  it('records a promise through the API, and refuses a bad one with the field named and nothing saved', async () => {
    const scope = new OrgScope(t.app.db, a.id);
    const before = (await scope.select(promises)).length;
    const bad = await post('/api/v1/promises', {
      customerId: a.customerId,
      invoiceIds: [a.invoiceId],
      amount: '5000.00',
      promisedDate: '2026-11-30',
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({
      error: {
        code: 'invalid_request',
        message: expect.stringMatching(/^amount: the amount is more than the open balance/),
      },
    });
    const late = await post('/api/v1/promises', {
      customerId: a.customerId,
      invoiceIds: [a.invoiceId],
      amount: '100',
      promisedDate: '2027-03-01',
    });
    expect(late.body.error.message).toMatch(/^promisedDate: choose a date no later than 2026-12-17/);
    const typed = await post('/api/v1/promises', {
      customerId: a.customerId,
      invoiceIds: [a.invoiceId],
      amount: 100,
      promisedDate: '2026-11-30',
    });
    expect(typed.status).toBe(400);
    expect((await scope.select(promises)).length).toBe(before);

    const ok = await post('/api/v1/promises', {
      customerId: a.customerId,
      invoiceIds: [a.invoiceId],
      amount: '250.5',
      promisedDate: '2026-12-01',
      note: 'Agreed by phone',
    });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({
      amount: '250.50',
      source: 'api',
      status: 'active',
      note: 'Agreed by phone',
    });
  });

  it('answers and resolves a dispute; resolving twice is a conflict', async () => {
    const reply = await post(`/api/v1/disputes/${a.extra.disputeId}/replies`, {
      body: 'We will send the missing boxes.',
      waitOnCustomer: true,
    });
    expect(reply.status).toBe(201);
    expect(reply.body).toEqual({
      messageId: expect.any(String),
      status: 'waiting_on_customer',
      emailed: true,
    });
    const empty = await post(`/api/v1/disputes/${a.extra.disputeId}/replies`, { body: '  ' });
    expect(empty.body).toEqual({ error: { code: 'invalid_request', message: 'body: write a message' } });
    const noOutcome = await post(`/api/v1/disputes/${a.extra.disputeId}/status`, { status: 'resolved' });
    expect(noOutcome.status).toBe(400);
    const done = await post(`/api/v1/disputes/${a.extra.disputeId}/status`, {
      status: 'resolved',
      outcome: 'credit_issued',
    });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({
      status: 'resolved',
      outcome: 'credit_issued',
      firstResponseAt: expect.any(String),
    });
    const again = await post(`/api/v1/disputes/${a.extra.disputeId}/status`, {
      status: 'resolved',
      outcome: 'credit_issued',
    });
    expect(again.status).toBe(409);
    const thread = await get(`/api/v1/disputes/${a.extra.disputeId}`);
    expect(thread.body.messages.map((m: { author: string }) => m.author)).toEqual([
      'customer',
      'clerk',
      'system',
    ]);
  });

  it('lists breached cases only', async () => {
    clock.set('2026-11-19T15:00:00Z');
    const res = await get('/api/v1/disputes?breached=true');
    expect(res.body.data.map((d: { reference: string }) => d.reference)).not.toContain('D-1001');
    const bList = await get('/api/v1/disputes?breached=true', b);
    expect(bList.body.data).toEqual([expect.objectContaining({ id: b.extra.disputeId, breached: true })]);
    expect((await get('/api/v1/disputes?breached=maybe')).status).toBe(400);
    clock.set('2026-11-17T15:00:00Z');
  });

  it('matches the OpenAPI description', async () => {
    const doc = (await request(t.web).get('/api/v1/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/promises',
        '/promises/{id}',
        '/disputes',
        '/disputes/{id}',
        '/disputes/{id}/replies',
        '/disputes/{id}/status',
      ]),
    );
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema(doc, 'openapi');
    for (const [path, schema] of [
      ['/api/v1/promises', 'PromiseList'],
      [`/api/v1/promises/${b.extra.promiseId}`, 'Promise'],
      ['/api/v1/disputes', 'DisputeList'],
      [`/api/v1/disputes/${b.extra.disputeId}`, 'DisputeThread'],
    ] as const) {
      const validate = ajv.getSchema(`openapi#/components/schemas/${schema}`)!;
      const body = (await get(path, b)).body;
      expect({ schema, valid: validate(body), errors: validate.errors ?? null }).toEqual({
        schema,
        valid: true,
        errors: null,
      });
    }
  });
});
