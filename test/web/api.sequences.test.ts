import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { eq } from 'drizzle-orm';
import request from 'supertest';
import { customers, invoices, messages, organizations, tasks } from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { STANDARD } from '../../src/domain/sequences/builtins';
import { runForFirm } from '../../src/services/reminders/run';
import { createTestApp, type TestApp } from '../support/app';
import { expectIsolation, seedFirm, type Firm } from '../support/tenancy';

describe('API v1 sequences, messages and tasks', () => {
  let t: TestApp;
  let a: Firm;
  let b: Firm;

  /** A live firm whose run left one e-mail message and one call task (customer without e-mail). */
  async function firmWithWork(name: string): Promise<Firm> {
    const f = await seedFirm(t.app, name);
    await t.app.db.update(organizations).set({ automation: 'live' }).where(eq(organizations.id, f.id));
    const scope = new OrgScope(t.app.db, f.id);
    const [cust] = await scope
      .insert(customers, {
        connectionId: f.connectionId,
        externalId: '2',
        name: `${name} Phone Only`,
        phone: '+1 555 0199',
      })
      .returning({ id: customers.id });
    await scope.insert(invoices, {
      connectionId: f.connectionId,
      externalId: '200',
      customerId: cust!.id,
      number: 'INV-2',
      currency: 'USD',
      issueDate: '2026-10-01',
      dueDate: '2026-10-31',
      total: '80.00',
      balance: '80.00',
      status: 'open',
      platformStatus: 'Open',
    });
    await runForFirm(t.app, f.id, '2026-11-03');
    const [m] = await scope.select(messages);
    const [k] = await scope.select(tasks);
    f.extra.messageId = m!.id;
    f.extra.taskId = k!.id;
    return f;
  }

  beforeAll(async () => {
    t = await createTestApp({ now: () => new Date('2026-11-03T12:00:00Z') });
    a = await firmWithWork('Api Seq A');
    b = await firmWithWork('Api Seq B');
  });
  afterAll(() => t.close());

  const get = (path: string, token = a.token) =>
    request(t.web).get(path).set('Authorization', `Bearer ${token}`);
  const put = (path: string, body: unknown, token = a.token) =>
    request(t.web)
      .put(path)
      .set('Authorization', `Bearer ${token}`)
      .send(body as object);

  it("lists the firm's sequences, seeded with the built-ins, standard the default", async () => {
    const res = await get('/api/v1/sequences');
    expect(res.status).toBe(200);
    expect(res.body.nextCursor).toBeNull();
    expect(res.body.data.map((s: { key: string }) => s.key)).toEqual([
      'firm',
      'gentle',
      'onboarding',
      'standard',
    ]);
    const one = await get('/api/v1/sequences/standard');
    expect(one.body).toEqual({
      key: 'standard',
      name: 'Standard',
      default: true,
      version: 1,
      steps: STANDARD.steps,
    });
    expect((await get('/api/v1/sequences/nope')).status).toBe(404);
  });

  it('PUT rejects an unknown template with the path and changes nothing', async () => {
    const bad = {
      ...STANDARD,
      steps: [...STANDARD.steps, { key: 'x', offsetDays: 40, channel: 'email', template: 'nope' }],
    };
    const res = await put('/api/v1/sequences/standard', bad);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/steps\[6\]\.template: unknown template "nope"/);
    expect((await get('/api/v1/sequences/standard')).body.version).toBe(1);
    const mismatch = await put('/api/v1/sequences/standard', { ...STANDARD, key: 'other' });
    expect(mismatch.status).toBe(400);
  });

  it('PUT accepts a step naming a template the firm saved over the API; DELETE of it is refused while in use', async () => {
    const body = [
      '<mj-text>',
      '  <p>Dear {{contactName}}, {{totalDue}} is open for {{invoiceSummary}}.</p>',
      '</mj-text>',
      '<mj-button href="{{portalUrl}}">Settle now</mj-button>',
    ].join('\n');
    expect((await put('/api/v1/templates/courtesy-nudge', { subject: 'A nudge', body })).status).toBe(201);
    const seq = {
      key: 'courteous',
      name: 'Courteous',
      steps: [{ key: 'nudge-5', offsetDays: 5, channel: 'email', template: 'courtesy-nudge' }],
    };
    const ok = await put('/api/v1/sequences/courteous', seq);
    expect(ok.status).toBe(201);
    expect((await get('/api/v1/sequences/courteous')).body.steps[0].template).toBe('courtesy-nudge');
    // the other firm has no such template
    const other = await put('/api/v1/sequences/courteous', seq, b.token);
    expect(other.status).toBe(400);
    expect(other.body.error.message).toMatch(/unknown template "courtesy-nudge" in step "nudge-5"/);

    const del = await request(t.web)
      .delete('/api/v1/templates/courtesy-nudge')
      .set('Authorization', `Bearer ${a.token}`);
    expect(del.status).toBe(409);
    expect(del.body.error.message).toMatch(/used by sequence "courteous" step "nudge-5"/);
    expect((await get('/api/v1/templates/courtesy-nudge')).status).toBe(200);
  });

  it('PUT of a changed sequence makes a new version for this firm only', async () => {
    const changed = { name: 'Standard (short)', steps: STANDARD.steps.slice(0, 3) };
    const res = await put('/api/v1/sequences/standard', changed);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ key: 'standard', name: 'Standard (short)', version: 2, default: true });
    expect((await put('/api/v1/sequences/standard', changed)).body.version).toBe(2);
    expect((await get('/api/v1/sequences/standard', b.token)).body.version).toBe(1);
    const created = await put('/api/v1/sequences/vip', { name: 'VIP', steps: [STANDARD.steps[0]] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ key: 'vip', version: 1, default: false });
  });

  it('lists messages and tasks of the firm only', async () => {
    const msgs = await get('/api/v1/messages');
    expect(msgs.body.data).toEqual([
      expect.objectContaining({
        id: a.extra.messageId,
        customerId: a.customerId,
        invoiceIds: [a.invoiceId],
        stepKey: 'overdue-3',
        channel: 'email',
        to: `ap@${a.slug}.example`,
        live: true,
      }),
    ]);
    const list = await get('/api/v1/tasks?status=open');
    expect(list.body.data).toEqual([
      expect.objectContaining({ id: a.extra.taskId, kind: 'call', status: 'open', dueDate: '2026-11-03' }),
    ]);
    expect((await get('/api/v1/tasks?status=done')).body.data).toEqual([]);
    await expectIsolation(t.web, a, b, {
      apiLists: [
        { path: '/api/v1/messages', ids: (f) => [f.extra.messageId!] },
        { path: '/api/v1/tasks', ids: (f) => [f.extra.taskId!] },
      ],
    });
  });

  it('matches the OpenAPI description', async () => {
    const doc = (await request(t.web).get('/api/v1/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/sequences', '/sequences/{key}', '/messages', '/tasks']),
    );
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema(doc, 'openapi');
    for (const [path, schema] of [
      ['/api/v1/sequences', 'SequenceList'],
      ['/api/v1/sequences/firm', 'Sequence'],
      ['/api/v1/messages', 'MessageList'],
      ['/api/v1/tasks', 'TaskList'],
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
});
