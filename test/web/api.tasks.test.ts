import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { eq } from 'drizzle-orm';
import request from 'supertest';
import { customers, promises, tasks, users } from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { createTestApp, type TestApp } from '../support/app';
import { expectIsolation, seedFirm, type Firm } from '../support/tenancy';

/** Tuesday 2026-11-03 in UTC firms; seedFirm's invoice (USD 1200.00) fell due on 10-31. */
describe('API v1 tasks: filters, outcomes, assignment', () => {
  let t: TestApp;
  let a: Firm;
  let b: Firm;

  async function firmWithTasks(name: string): Promise<Firm> {
    const f = await seedFirm(t.app, name);
    const scope = new OrgScope(t.app.db, f.id);
    await scope.update(customers, { phone: '+1 555 0100' }, eq(customers.id, f.customerId));
    const mk = async (key: string, dueDate: string, kind: 'call' | 'letter') => {
      const [row] = await scope
        .insert(tasks, {
          customerId: f.customerId,
          invoiceIds: [f.invoiceId],
          kind,
          title: `${kind} ${key}`,
          talkingPoints: ['Owed: invoice #INV-1'],
          dueDate,
          idempotencyKey: key,
        })
        .returning({ id: tasks.id });
      return row!.id;
    };
    f.extra.taskId = await mk('overdue', '2026-11-02', 'call');
    f.extra.todayTaskId = await mk('today', '2026-11-03', 'call');
    f.extra.letterTaskId = await mk('upcoming', '2026-11-06', 'letter');
    return f;
  }

  beforeAll(async () => {
    t = await createTestApp({ now: () => new Date('2026-11-03T12:00:00Z') });
    a = await firmWithTasks('Api Tasks A');
    b = await firmWithTasks('Api Tasks B');
  });
  afterAll(() => t.close());

  const get = (path: string, token = a.token) =>
    request(t.web).get(path).set('Authorization', `Bearer ${token}`);
  const post = (path: string, body: unknown, token = a.token) =>
    request(t.web)
      .post(path)
      .set('Authorization', `Bearer ${token}`)
      .send(body as object);
  const userId = async (email: string) =>
    (await t.app.db.select().from(users).where(eq(users.email, email)))[0]!.id;

  it('filters by due date, kind and assignee, ordered by due date', async () => {
    const ids = async (q: string) =>
      ((await get(`/api/v1/tasks${q}`)).body.data as { id: string }[]).map((d) => d.id);
    expect(await ids('')).toEqual([a.extra.taskId, a.extra.todayTaskId, a.extra.letterTaskId]);
    expect(await ids('?due=overdue')).toEqual([a.extra.taskId]);
    expect(await ids('?due=today')).toEqual([a.extra.todayTaskId]);
    expect(await ids('?due=upcoming&kind=letter')).toEqual([a.extra.letterTaskId]);
    expect(await ids('?assignee=unassigned&status=open')).toHaveLength(3);
    const bad = await get('/api/v1/tasks?due=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/due must be today, overdue or upcoming/);
    expect((await get('/api/v1/tasks?assignee=me')).status).toBe(400);
    const first = (await get('/api/v1/tasks?due=overdue')).body.data[0];
    expect(first).toMatchObject({
      customerName: 'Api Tasks A Customer',
      due: 'overdue',
      balances: [{ currency: 'USD', amount: '1200.00' }],
      phone: '+1 555 0100',
    });
  });

  it('assigns to a clerk, refuses a viewer, and filters by assignee', async () => {
    const clerk = await userId(a.users.clerk);
    const res = await post(`/api/v1/tasks/${a.extra.todayTaskId}/assign`, { assigneeUserId: clerk });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: a.extra.todayTaskId, assigneeUserId: clerk });
    const viewer = await post(`/api/v1/tasks/${a.extra.todayTaskId}/assign`, {
      assigneeUserId: await userId(a.users.viewer),
    });
    expect(viewer.status).toBe(400);
    expect(
      ((await get(`/api/v1/tasks?assignee=${clerk}`)).body.data as { id: string }[]).map((d) => d.id),
    ).toEqual([a.extra.todayTaskId]);
  });

  it('completes a task with a promise once; a second completion is a conflict; bad input changes nothing', async () => {
    const path = `/api/v1/tasks/${a.extra.taskId}/complete`;
    const bad = await post(path, {
      outcome: 'promise',
      promise: { amount: '-5', promisedDate: '2026-11-10' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/promise\.amount/);
    const ok = await post(path, {
      outcome: 'promise',
      note: 'AP confirmed the payment run',
      promise: { amount: '600.00', promisedDate: '2026-11-10' },
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      taskId: a.extra.taskId,
      outcome: 'promise',
      promiseId: expect.any(String),
    });
    const again = await post(path, { outcome: 'reached' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('conflict');
    const list = await t.app.db.select().from(promises).where(eq(promises.organizationId, a.id));
    expect(list.map((p) => [p.source, p.taskId])).toEqual([['call', a.extra.taskId]]);
    const reopened = await post(`/api/v1/tasks/${a.extra.taskId}/reopen`, {});
    expect(reopened.body).toEqual({ id: a.extra.taskId, status: 'open' });
  });

  it("never reaches another firm's tasks", async () => {
    const bodies: Record<string, unknown> = {
      complete: { outcome: 'reached' },
      assign: { assigneeUserId: null },
      reopen: {},
    };
    for (const [action, body] of Object.entries(bodies)) {
      const res = await post(`/api/v1/tasks/${b.extra.letterTaskId}/${action}`, body);
      expect({ action, status: res.status }).toEqual({ action, status: 404 });
    }
    const [untouched] = await t.app.db.select().from(tasks).where(eq(tasks.id, b.extra.letterTaskId!));
    expect(untouched!.status).toBe('open');
    await expectIsolation(t.web, a, b, {
      apiLists: [{ path: '/api/v1/tasks?status=all', ids: (f) => [f.extra.letterTaskId!] }],
    });
  });

  it('matches the OpenAPI description', async () => {
    const doc = (await request(t.web).get('/api/v1/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/tasks', '/tasks/{id}/complete', '/tasks/{id}/assign', '/tasks/{id}/reopen']),
    );
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema(doc, 'openapi');
    const validList = ajv.getSchema('openapi#/components/schemas/TaskList')!;
    const body = (await get('/api/v1/tasks')).body;
    expect({ valid: validList(body), errors: validList.errors ?? null }).toEqual({
      valid: true,
      errors: null,
    });
    const validInput = ajv.getSchema('openapi#/components/schemas/TaskCompletion')!;
    const input = { outcome: 'dispute', dispute: { category: 'pricing', message: 'Wrong unit price' } };
    expect(validInput(input)).toBe(true);
    const done = await post(`/api/v1/tasks/${a.extra.letterTaskId}/complete`, { note: 'Posted first class' });
    expect(done.status).toBe(200);
    const validDone = ajv.getSchema('openapi#/components/schemas/TaskCompleted')!;
    expect({ valid: validDone(done.body), errors: validDone.errors ?? null }).toEqual({
      valid: true,
      errors: null,
    });
  });
});
