import { eq } from 'drizzle-orm';
import { customers, promises, tasks } from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { createTestApp, type TestApp } from '../support/app';
import { browser } from '../support/http';
import { expectIsolation, PASSWORD, seedFirm, type Firm } from '../support/tenancy';

/** Tuesday 2026-11-03 (firm zone UTC); seedFirm's invoice INV-1 (USD 1,200.00) fell due on 10-31. */
describe('task queue page', () => {
  let t: TestApp;
  let a: Firm;
  let b: Firm;

  async function firmWithTasks(name: string): Promise<Firm> {
    const f = await seedFirm(t.app, name);
    const scope = new OrgScope(t.app.db, f.id);
    await scope.update(customers, { phone: '+1 555 0100' }, eq(customers.id, f.customerId));
    const mk = async (key: string, dueDate: string, kind: 'call' | 'letter', title: string) => {
      const [row] = await scope
        .insert(tasks, {
          customerId: f.customerId,
          invoiceIds: [f.invoiceId],
          kind,
          title,
          talkingPoints: [
            'Owed: invoice #INV-1, USD 1,200.00, due 2026-10-31 (3 days overdue)',
            'Ask for a date',
          ],
          dueDate,
          idempotencyKey: key,
        })
        .returning({ id: tasks.id });
      return row!.id;
    };
    f.extra.taskId = await mk('overdue-call', '2026-11-02', 'call', `Call ${name} about INV-1`);
    f.extra.todayTaskId = await mk('today-call', '2026-11-03', 'call', `Second call ${name}`);
    f.extra.letterTaskId = await mk('letter', '2026-11-09', 'letter', `Letter to ${name}`);
    return f;
  }

  beforeAll(async () => {
    t = await createTestApp({ now: () => new Date('2026-11-03T12:00:00Z') });
    a = await firmWithTasks('Queue Alpha');
    b = await firmWithTasks('Queue Bravo');
  });
  afterAll(() => t.close());

  const taskOf = async (id: string) => (await t.app.db.select().from(tasks).where(eq(tasks.id, id)))[0]!;
  const signedIn = async (email: string) => {
    const s = browser(t.web);
    expect((await s.login(email, PASSWORD)).status).toBe(302);
    return s;
  };

  it('shows the team’s tasks by section with what is owed and the talking points; my tasks after assigning', async () => {
    const clerk = await signedIn(a.users.clerk);
    const team = await clerk.agent.get('/tasks?tab=team');
    expect(team.status).toBe(200);
    const html = team.text;
    expect(html).toMatch(/<h1>Tasks<\/h1>/);
    const overdueAt = html.indexOf('id="sec-overdue"');
    const todayAt = html.indexOf('id="sec-today"');
    const upcomingAt = html.indexOf('id="sec-upcoming"');
    expect(html.indexOf('Call Queue Alpha about INV-1')).toBeGreaterThan(overdueAt);
    expect(html.indexOf('Call Queue Alpha about INV-1')).toBeLessThan(todayAt);
    expect(html.indexOf('Second call Queue Alpha')).toBeGreaterThan(todayAt);
    expect(html.indexOf('Letter to Queue Alpha')).toBeGreaterThan(upcomingAt);
    expect(html).toContain('Queue Alpha Customer');
    expect(html).toContain('$1,200.00');
    expect(html).toContain('Ask for a date');
    expect(html).toContain('href="tel:+15550100"');
    expect(html).toMatch(/<label for="note-[0-9a-f-]+">Note \(optional\)<\/label>/);
    expect(html).not.toContain('Queue Bravo');
    expect(html).toMatch(/<a href="\/tasks" aria-current="page">Tasks<\/a>/);

    expect((await clerk.agent.get('/tasks')).text).not.toContain('Call Queue Alpha about INV-1');
    const assigned = await clerk.postForm(
      `/tasks/${a.extra.taskId}/assign`,
      { assignee: 'me', tab: 'mine' },
      '/tasks',
    );
    expect(assigned.status).toBe(303);
    expect(assigned.headers.location).toBe('/tasks?tab=mine');
    const mine = await clerk.agent.get('/tasks?tab=mine');
    expect(mine.text).toContain('Task assigned.');
    expect(mine.text).toContain('Call Queue Alpha about INV-1');
    expect(mine.text).not.toContain('Letter to Queue Alpha');
  });

  it('records a promise from the inline form, and refuses a bad one with a clear message and nothing changed', async () => {
    const clerk = await signedIn(a.users.clerk);
    const bad = await clerk.postForm(
      `/tasks/${a.extra.todayTaskId}/complete`,
      {
        outcome: 'promise',
        invoiceIds: a.invoiceId,
        promiseAmount: 'a lot',
        promiseDate: '2026-11-10',
        tab: 'team',
      },
      '/tasks?tab=team',
    );
    expect(bad.status).toBe(303);
    const page = await clerk.agent.get('/tasks?tab=team');
    expect(page.text).toMatch(/Nothing was changed: promise\.amount: must be a positive amount/);
    expect((await taskOf(a.extra.todayTaskId!)).status).toBe('open');

    const ok = await clerk.postForm(
      `/tasks/${a.extra.todayTaskId}/complete`,
      {
        outcome: 'promise',
        invoiceIds: a.invoiceId,
        promiseAmount: '1200.00',
        promiseDate: '2026-11-10',
        note: 'Will pay Tuesday',
        tab: 'team',
      },
      '/tasks?tab=team',
    );
    expect(ok.status).toBe(303);
    expect((await clerk.agent.get('/tasks?tab=team')).text).toContain('The promise to pay is recorded');
    expect(await taskOf(a.extra.todayTaskId!)).toMatchObject({ status: 'done', outcome: 'promise' });
    const recorded = await t.app.db.select().from(promises).where(eq(promises.organizationId, a.id));
    expect(recorded.map((p) => [p.source, p.promisedDate, p.taskId])).toEqual([
      ['call', '2026-11-10', a.extra.todayTaskId],
    ]);
  });

  it('one click on "No answer" completes the call and schedules the second try', async () => {
    const clerk = await signedIn(a.users.clerk);
    const res = await clerk.postForm(
      `/tasks/${a.extra.taskId}/complete`,
      { outcome: 'no_answer', back: `/tasks/${a.extra.taskId}` },
      `/tasks/${a.extra.taskId}`,
    );
    expect(res.headers.location).toBe(`/tasks/${a.extra.taskId}`);
    const detail = await clerk.agent.get(`/tasks/${a.extra.taskId}`);
    expect(detail.text).toContain('A follow-up task was added.');
    expect(detail.text).toMatch(/Status: done — outcome: no answer/);
    const team = await clerk.agent.get('/tasks?tab=team');
    expect(team.text).toContain('Call Queue Alpha about INV-1 (second try)');
    // a second click (the form sent again) changes nothing and says why
    await clerk.postForm(
      `/tasks/${a.extra.taskId}/complete`,
      { outcome: 'no_answer', tab: 'team' },
      '/tasks?tab=team',
    );
    expect((await clerk.agent.get('/tasks?tab=team')).text).toContain(
      'Nothing was changed: this task is already done',
    );
    const all = await t.app.db.select().from(tasks).where(eq(tasks.organizationId, a.id));
    expect(all.filter((x) => x.title.endsWith('(second try)'))).toHaveLength(1);
  });

  it('lets a viewer read but not act (403, nothing changed); forms need the CSRF token', async () => {
    const viewer = await signedIn(a.users.viewer);
    const page = await viewer.agent.get('/tasks?tab=team');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Letter to Queue Alpha');
    expect(page.text).not.toContain(`action="/tasks/${a.extra.letterTaskId}/complete"`);
    const res = await viewer.postForm(
      `/tasks/${a.extra.letterTaskId}/complete`,
      { outcome: 'done' },
      '/tasks',
    );
    expect(res.status).toBe(403);
    const noToken = await (
      await signedIn(a.users.clerk)
    ).agent
      .post(`/tasks/${a.extra.letterTaskId}/complete`)
      .type('form')
      .send({ outcome: 'done' });
    expect(noToken.status).toBe(403);
    expect((await taskOf(a.extra.letterTaskId!)).status).toBe('open');
  });

  it('exports the list as CSV', async () => {
    const clerk = await signedIn(a.users.clerk);
    const res = await clerk.agent.get('/tasks.csv?tab=team');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toMatch(/attachment; filename="?tasks-team-2026-11-03\.csv"?/);
    const lines = res.text.trim().split('\r\n');
    expect(lines[0]).toBe('Due date,When,Customer,Kind,Task,Assignee,Invoices,Balance,Phone,Talking points');
    expect(
      lines.some((l) =>
        l.startsWith('2026-11-09,upcoming,Queue Alpha Customer,letter,Letter to Queue Alpha'),
      ),
    ).toBe(true);
    expect(res.text).not.toContain('Queue Bravo');
  });

  it("keeps another firm's tasks out of reach (404), through pages and forms", async () => {
    await expectIsolation(t.web, a, b, { pages: [(f) => `/tasks/${f.extra.letterTaskId}`] });
    const clerk = await signedIn(a.users.clerk);
    for (const action of ['complete', 'assign', 'reopen']) {
      const res = await clerk.postForm(
        `/tasks/${b.extra.letterTaskId}/${action}`,
        { outcome: 'done' },
        '/tasks',
      );
      expect({ action, status: res.status }).toEqual({ action, status: 404 });
    }
    expect((await clerk.agent.get('/tasks/not-a-uuid')).status).toBe(404);
    expect((await taskOf(b.extra.letterTaskId!)).status).toBe('open');
  });
});
