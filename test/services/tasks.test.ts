import { and, eq } from 'drizzle-orm';
import {
  activities,
  customers,
  disputes,
  organizations,
  promises,
  tasks,
  users,
  writeBacks,
} from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { planForFirm } from '../../src/services/reminders/run';
import { assignTask, completeTask, listTasks, reopenTask } from '../../src/services/tasks';
import { createTestApp, type TestApp } from '../support/app';
import { seedFirm, type Firm } from '../support/tenancy';

const SYS = { type: 'system' as const, id: null };
/** Tuesday 2026-11-03; seedFirm's invoice (USD 1200.00) fell due on Saturday 10-31. */
const NOW = new Date('2026-11-03T15:00:00Z');

describe('tasks: outcomes, follow-ups, assignment and the queue', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ now: () => NOW });
  });
  afterAll(() => t.close());

  async function firmWithTask(
    name: string,
    over: Partial<typeof tasks.$inferInsert> = {},
  ): Promise<{
    f: Firm;
    scope: OrgScope;
    taskId: string;
    user: (role: keyof Firm['users']) => Promise<string>;
  }> {
    const f = await seedFirm(t.app, name);
    await t.app.db.update(organizations).set({ automation: 'live' }).where(eq(organizations.id, f.id));
    const scope = new OrgScope(t.app.db, f.id);
    await scope.update(customers, { phone: '+1 (555) 010-0100' }, eq(customers.id, f.customerId));
    const [task] = await scope
      .insert(tasks, {
        customerId: f.customerId,
        invoiceIds: [f.invoiceId],
        kind: 'call',
        title: 'Call about overdue invoices',
        talkingPoints: ['Owed: invoice #INV-1, USD 1,200.00, due 2026-10-31 (3 days overdue)'],
        dueDate: '2026-11-03',
        idempotencyKey: `test:${name}`,
        ...over,
      })
      .returning({ id: tasks.id });
    const user = async (role: keyof Firm['users']) => {
      const [u] = await t.app.db.select().from(users).where(eq(users.email, f.users[role]));
      return u!.id;
    };
    return { f, scope, taskId: task!.id, user };
  }
  const taskOf = async (scope: OrgScope, id: string) => (await scope.findById(tasks, id))!;
  const promisesOf = (orgId: string) =>
    t.app.db.select().from(promises).where(eq(promises.organizationId, orgId));
  const disputesOf = (orgId: string) =>
    t.app.db.select().from(disputes).where(eq(disputes.organizationId, orgId));
  const activitiesOf = (orgId: string) =>
    t.app.db.select().from(activities).where(eq(activities.organizationId, orgId));
  const writeBacksOf = (orgId: string) =>
    t.app.db.select().from(writeBacks).where(eq(writeBacks.organizationId, orgId));

  it('a promise on the call becomes a promise to pay that pauses the invoice, with one note and one activity', async () => {
    const { f, scope, taskId, user } = await firmWithTask('Task Promise');
    const clerk = { type: 'user' as const, id: await user('clerk') };
    const done = await completeTask(
      t.app,
      scope,
      taskId,
      {
        outcome: 'promise',
        note: 'Paying on the 12th',
        promise: { amount: '1200.00', promisedDate: '2026-11-12' },
      },
      clerk,
    );
    expect(done.promiseId).toEqual(expect.any(String));
    const [promise] = await promisesOf(f.id);
    expect(promise).toMatchObject({
      id: done.promiseId,
      source: 'call',
      taskId,
      promisedDate: '2026-11-12',
      createdByUserId: clerk.id,
    });
    expect(await taskOf(scope, taskId)).toMatchObject({
      status: 'done',
      outcome: 'promise',
      outcomeNote: 'Paying on the 12th',
      completedByUserId: clerk.id,
    });
    const logged = (await activitiesOf(f.id)).filter((a) => a.kind === 'call.logged');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      actorUserId: clerk.id,
      invoiceIds: [f.invoiceId],
      body: 'Paying on the 12th',
    });
    expect(logged[0]!.data).toMatchObject({ taskId, outcome: 'promise', promiseId: done.promiseId });
    const notes = (await writeBacksOf(f.id)).filter((w) => w.idempotencyKey.startsWith('note:task:'));
    expect(notes.map((n) => n.idempotencyKey)).toEqual([`note:task:${taskId}:${f.invoiceId}`]);
    expect(String((notes[0]!.payload as { text: string }).text)).toMatch(
      /call on 2026-11-03: promise to pay\. Promised USD 1,200\.00 by 2026-11-12/,
    );
    // the promise pauses reminders on the invoice
    const plan = await planForFirm(t.app, f.slug, '2026-11-10');
    expect(plan.skipped).toContainEqual({ invoiceId: f.invoiceId, reason: 'promised' });

    // completing it again (a double click, a retried request) is refused and records nothing more
    await expect(
      completeTask(
        t.app,
        scope,
        taskId,
        { outcome: 'promise', promise: { amount: '1200.00', promisedDate: '2026-11-12' } },
        clerk,
      ),
    ).rejects.toMatchObject({ name: 'ConflictError' });
    expect(await promisesOf(f.id)).toHaveLength(1);
    expect((await activitiesOf(f.id)).filter((a) => a.kind === 'call.logged')).toHaveLength(1);
  });

  it('two clerks completing the same task at once: one wins, the other gets a conflict', async () => {
    const { scope, taskId } = await firmWithTask('Task Race');
    const results = await Promise.allSettled([
      completeTask(t.app, scope, taskId, { outcome: 'reached' }, SYS),
      completeTask(t.app, scope, taskId, { outcome: 'reached' }, SYS),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toMatchObject({ name: 'ConflictError' });
  });

  it('bad input is refused with the field and changes nothing', async () => {
    const { f, scope, taskId } = await firmWithTask('Task Bad Input');
    await expect(
      completeTask(
        t.app,
        scope,
        taskId,
        { outcome: 'promise', promise: { amount: 'lots', promisedDate: '2026-11-12' } },
        SYS,
      ),
    ).rejects.toMatchObject({ name: 'ValidationError', field: 'promise.amount' });
    await expect(completeTask(t.app, scope, taskId, { outcome: 'promise' }, SYS)).rejects.toMatchObject({
      field: 'promise',
    });
    // the promise service's own rules apply too (a date in the past)
    await expect(
      completeTask(
        t.app,
        scope,
        taskId,
        { outcome: 'promise', promise: { amount: '100', promisedDate: '2026-10-01' } },
        SYS,
      ),
    ).rejects.toMatchObject({ name: 'ValidationError', field: 'promisedDate' });
    await expect(completeTask(t.app, scope, taskId, {}, SYS)).rejects.toMatchObject({ field: 'outcome' });
    await expect(completeTask(t.app, scope, taskId, { outcome: 'maybe' }, SYS)).rejects.toMatchObject({
      field: 'outcome',
    });
    expect(await taskOf(scope, taskId)).toMatchObject({ status: 'open', outcome: null });
    expect(await promisesOf(f.id)).toEqual([]);
    expect((await activitiesOf(f.id)).filter((a) => a.kind === 'call.logged')).toEqual([]);
    expect(await writeBacksOf(f.id)).toEqual([]);
  });

  it('a dispute on the call opens a dispute on the invoice and stops reminders', async () => {
    const { f, scope, taskId } = await firmWithTask('Task Dispute');
    const done = await completeTask(
      t.app,
      scope,
      taskId,
      { outcome: 'dispute', dispute: { category: 'quantity', message: 'Only 8 of the 10 crates arrived' } },
      SYS,
    );
    const [dispute] = await disputesOf(f.id);
    expect(dispute).toMatchObject({
      id: done.disputeId,
      source: 'call',
      category: 'quantity',
      kind: 'dispute',
    });
    const plan = await planForFirm(t.app, f.slug, '2026-11-10');
    expect(plan.skipped).toContainEqual({ invoiceId: f.invoiceId, reason: 'disputed' });
  });

  it('no answer: a second try two business days later, only once', async () => {
    const { scope, taskId, user } = await firmWithTask('Task No Answer');
    const clerkId = await user('clerk');
    await assignTask(scope, taskId, clerkId, SYS);
    const first = await completeTask(t.app, scope, taskId, { outcome: 'no_answer' }, SYS);
    const retry = await taskOf(scope, first.followUpTaskId!);
    expect(retry).toMatchObject({
      status: 'open',
      kind: 'call',
      dueDate: '2026-11-05',
      assigneeUserId: clerkId,
      title: 'Call about overdue invoices (second try)',
    });
    expect(retry.talkingPoints[0]).toBe('No answer on 2026-11-03: this is the second try');
    const second = await completeTask(t.app, scope, retry.id, { outcome: 'no_answer' }, SYS);
    expect(second.followUpTaskId).toBeNull();
    // reopening and completing the first again does not make a second retry
    await reopenTask(scope, taskId, SYS);
    const again = await completeTask(t.app, scope, taskId, { outcome: 'no_answer' }, SYS);
    expect(again.followUpTaskId).toBeNull();
    const open = await listTasks(scope, { status: 'open' }, { userId: null, today: '2026-11-03' });
    expect(open.data).toEqual([]);
  });

  it('wrong number: the number is no longer offered nor counted, and a task to find a working one follows', async () => {
    const { f, scope, taskId } = await firmWithTask('Task Wrong Number');
    const before = await listTasks(scope, {}, { userId: null, today: '2026-11-03' });
    expect(before.data[0]!.phone).toBe('+1 (555) 010-0100');
    await expect(
      completeTask(t.app, scope, taskId, { outcome: 'wrong_number', phone: '+1 555 999 9999' }, SYS),
    ).rejects.toMatchObject({ field: 'phone' });
    const done = await completeTask(
      t.app,
      scope,
      taskId,
      { outcome: 'wrong_number', phone: '15550100100' },
      SYS,
    );
    const follow = await taskOf(scope, done.followUpTaskId!);
    expect(follow).toMatchObject({
      kind: 'other',
      title: 'Find a working phone number',
      dueDate: '2026-11-04',
    });
    expect(follow.talkingPoints[0]).toBe('Wrong number: +1 (555) 010-0100');
    const after = await listTasks(scope, {}, { userId: null, today: '2026-11-03' });
    expect(after.data.map((d) => [d.id, d.phone])).toEqual([[follow.id, null]]);
    // a call step now has no number to call: the planner says so instead of making a call task
    await scope.update(customers, { email: null }, eq(customers.id, f.customerId));
    const plan = await planForFirm(t.app, f.slug, '2026-11-03');
    expect(plan.skipped).toContainEqual({ invoiceId: f.invoiceId, reason: 'no_contact' });
    // a new number (from the books) is usable again
    await scope.update(customers, { phone: '+1 555 0199' }, eq(customers.id, f.customerId));
    const replan = await planForFirm(t.app, f.slug, '2026-11-03');
    expect(replan.actions).toMatchObject([{ channel: 'call' }]);
  });

  it('lists my tasks, the team’s and unassigned ones, by due date, in pages', async () => {
    const { f, scope, taskId, user } = await firmWithTask('Task Queue', { dueDate: '2026-11-02' });
    const clerkId = await user('clerk');
    const adminId = await user('admin');
    const mk = async (key: string, dueDate: string, assigneeUserId: string | null) => {
      const [row] = await scope
        .insert(tasks, {
          customerId: f.customerId,
          invoiceIds: [f.invoiceId],
          kind: 'letter',
          title: `Letter ${key}`,
          dueDate,
          assigneeUserId,
          idempotencyKey: key,
        })
        .returning({ id: tasks.id });
      return row!.id;
    };
    const today = await mk('today', '2026-11-03', clerkId);
    const upcoming = await mk('upcoming', '2026-11-09', adminId);
    await assignTask(scope, taskId, clerkId, SYS);
    const ctx = { userId: clerkId, today: '2026-11-03' };
    const ids = async (q: Parameters<typeof listTasks>[1]) =>
      (await listTasks(scope, q, ctx)).data.map((d) => d.id);
    expect(await ids({})).toEqual([taskId, today, upcoming]);
    expect(await ids({ assignee: 'me' })).toEqual([taskId, today]);
    expect(await ids({ assignee: adminId })).toEqual([upcoming]);
    expect(await ids({ assignee: 'unassigned' })).toEqual([]);
    expect(await ids({ due: 'overdue' })).toEqual([taskId]);
    expect(await ids({ due: 'today' })).toEqual([today]);
    expect(await ids({ due: 'upcoming' })).toEqual([upcoming]);
    expect(await ids({ kind: 'letter' })).toEqual([today, upcoming]);
    const page1 = await listTasks(scope, { limit: 2 }, ctx);
    expect(page1.data.map((d) => d.due)).toEqual(['overdue', 'today']);
    const page2 = await listTasks(scope, { limit: 2, cursor: page1.nextCursor! }, ctx);
    expect(page2).toMatchObject({ nextCursor: null, data: [{ id: upcoming, due: 'upcoming' }] });
    const view = page1.data[0]!;
    expect(view).toMatchObject({
      customerName: 'Task Queue Customer',
      invoices: [{ number: 'INV-1', balance: '1200.00', currency: 'USD' }],
      balances: [{ currency: 'USD', amount: '1200.00' }],
      assignee: { id: clerkId, email: f.users.clerk },
    });
    await expect(
      listTasks(scope, { assignee: 'me' }, { userId: null, today: '2026-11-03' }),
    ).rejects.toMatchObject({
      field: 'assignee',
    });
    await expect(listTasks(scope, { cursor: 'bogus' }, ctx)).rejects.toMatchObject({ field: 'cursor' });
  });

  it('assigns only to members who can work tasks, and never across firms', async () => {
    const { f, scope, taskId, user } = await firmWithTask('Task Assign');
    const other = await firmWithTask('Task Assign Other');
    await expect(assignTask(scope, taskId, await user('viewer'), SYS)).rejects.toMatchObject({
      field: 'assigneeUserId',
    });
    await expect(assignTask(scope, taskId, await other.user('clerk'), SYS)).rejects.toMatchObject({
      field: 'assigneeUserId',
    });
    await expect(assignTask(scope, other.taskId, await user('clerk'), SYS)).rejects.toMatchObject({
      name: 'NotFoundError',
    });
    await expect(completeTask(t.app, scope, other.taskId, { outcome: 'reached' }, SYS)).rejects.toMatchObject(
      {
        name: 'NotFoundError',
      },
    );
    expect(await taskOf(other.scope, other.taskId)).toMatchObject({ status: 'open', assigneeUserId: null });
    const unassigned = await assignTask(scope, taskId, null, SYS);
    expect(unassigned.assigneeUserId).toBeNull();
    await expect(reopenTask(scope, taskId, SYS)).rejects.toMatchObject({ name: 'ConflictError' });
    const list = await t.app.db
      .select()
      .from(tasks)
      .where(and(eq(tasks.organizationId, f.id), eq(tasks.id, taskId)));
    expect(list).toHaveLength(1);
  });
});
