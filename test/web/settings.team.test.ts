import { and, eq } from 'drizzle-orm';
import { auditLog, memberships, tasks, users } from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { createTestApp, type TestApp } from '../support/app';
import { browser } from '../support/http';
import { PASSWORD, seedFirm, type Firm } from '../support/tenancy';

/** Settings → Team: members and their roles; admins change a role or remove a member. */
describe('team members and roles page', () => {
  let t: TestApp;
  let a: Firm;
  let b: Firm;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp({ now: () => new Date('2026-11-03T12:00:00Z') });
    a = await seedFirm(t.app, 'Team Alpha');
    b = await seedFirm(t.app, 'Team Bravo');
    for (const u of await t.app.db.select().from(users)) ids[u.email] = u.id;
  });
  afterAll(() => t.close());

  const roleOf = async (f: Firm, email: string) =>
    (
      await t.app.db
        .select({ role: memberships.role })
        .from(memberships)
        .where(and(eq(memberships.organizationId, f.id), eq(memberships.userId, ids[email]!)))
    )[0]?.role ?? null;
  const audits = (f: Firm, action: string) =>
    t.app.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.organizationId, f.id), eq(auditLog.action, action)));
  const signedIn = async (email: string) => {
    const s = browser(t.web);
    expect((await s.login(email, PASSWORD)).status).toBe(302);
    return s;
  };
  const flashOf = async (s: ReturnType<typeof browser>) => {
    const page = await s.agent.get('/settings/team');
    return /class="flash flash-(success|error)"[^>]*>([^<]*)</.exec(page.text)?.slice(1) ?? [];
  };

  it('lists every member with their role; an admin gets role forms for others, never for themselves or an owner', async () => {
    const admin = await signedIn(a.users.admin);
    const page = await admin.agent.get('/settings/team');
    expect(page.status).toBe(200);
    for (const role of ['owner', 'admin', 'clerk', 'viewer'] as const)
      expect(page.text).toMatch(new RegExp(`${a.users[role]}[^<]*</td><td>[^<]*</td><td>${role}</td>`));
    expect(page.text).not.toContain(b.users.clerk);
    expect(page.text).toContain(`action="/settings/team/${ids[a.users.clerk]}/role"`);
    expect(page.text).not.toContain(`action="/settings/team/${ids[a.users.admin]}/role"`);
    expect(page.text).not.toContain(`action="/settings/team/${ids[a.users.owner]}/role"`);
    expect(page.text).toContain('only an owner can change an owner');

    const viewer = await signedIn(a.users.viewer);
    const read = await viewer.agent.get('/settings/team');
    expect(read.status).toBe(200);
    expect(read.text).toContain(a.users.clerk);
    expect(read.text).not.toContain('/role"');
  });

  it('an admin makes the clerk a viewer: audited, and the clerk’s open session is read-only at once', async () => {
    const clerk = await signedIn(a.users.clerk);
    const admin = await signedIn(a.users.admin);
    const res = await admin.postForm(
      `/settings/team/${ids[a.users.clerk]}/role`,
      { role: 'viewer' },
      '/settings/team',
    );
    expect(res.status).toBe(303);
    expect(await roleOf(a, a.users.clerk)).toBe('viewer');
    expect(await flashOf(admin)).toEqual(['success', `${a.users.clerk} is now viewer.`]);
    const [entry] = await audits(a, 'member.role_changed');
    expect(entry).toMatchObject({ actorId: ids[a.users.admin], subjectId: ids[a.users.clerk] });
    expect(entry!.data).toMatchObject({ from: 'clerk', to: 'viewer' });

    const note = await clerk.postForm(
      `/customers/${a.customerId}/notes`,
      { text: 'after the change', requestKey: 'k-after-change' },
      `/customers/${a.customerId}`,
    );
    expect(note.status).toBe(403);

    await admin.postForm(`/settings/team/${ids[a.users.clerk]}/role`, { role: 'clerk' }, '/settings/team');
    expect(await roleOf(a, a.users.clerk)).toBe('clerk');
  });

  it('refuses with a clear message and nothing changed: own role, an owner by an admin, an unknown role', async () => {
    const admin = await signedIn(a.users.admin);
    await admin.postForm(`/settings/team/${ids[a.users.admin]}/role`, { role: 'viewer' }, '/settings/team');
    expect(await roleOf(a, a.users.admin)).toBe('admin');
    expect(await flashOf(admin)).toEqual([
      'error',
      expect.stringContaining('cannot change your own membership'),
    ]);

    await admin.postForm(`/settings/team/${ids[a.users.owner]}/role`, { role: 'viewer' }, '/settings/team');
    expect(await roleOf(a, a.users.owner)).toBe('owner');
    expect(await flashOf(admin)).toEqual(['error', expect.stringContaining('only an owner can change')]);
    await admin.postForm(`/settings/team/${ids[a.users.owner]}/remove`, {}, '/settings/team');
    expect(await roleOf(a, a.users.owner)).toBe('owner');

    await admin.postForm(`/settings/team/${ids[a.users.viewer]}/role`, { role: 'owner' }, '/settings/team');
    expect(await roleOf(a, a.users.viewer)).toBe('viewer');
    expect(await flashOf(admin)).toEqual([
      'error',
      'Nothing was changed: the role must be admin, clerk or viewer',
    ]);
    expect(await audits(a, 'member.removed')).toHaveLength(0);
  });

  it('viewers and clerks cannot change the team (403), nor can a form without its CSRF token', async () => {
    for (const role of ['viewer', 'clerk'] as const) {
      const u = await signedIn(a.users[role]);
      const res = await u.postForm(
        `/settings/team/${ids[a.users.viewer]}/role`,
        { role: 'admin' },
        '/settings/team',
      );
      expect(res.status).toBe(403);
      expect(
        (await u.postForm(`/settings/team/${ids[a.users.viewer]}/remove`, {}, '/settings/team')).status,
      ).toBe(403);
    }
    const admin = await signedIn(a.users.admin);
    const forged = await admin.agent
      .post(`/settings/team/${ids[a.users.viewer]}/role`)
      .type('form')
      .send({ role: 'admin' });
    expect(forged.status).toBe(403);
    expect(await roleOf(a, a.users.viewer)).toBe('viewer');
  });

  it('a member of another firm is not found (404) and keeps their role', async () => {
    const admin = await signedIn(a.users.admin);
    const role = await admin.postForm(
      `/settings/team/${ids[b.users.clerk]}/role`,
      { role: 'viewer' },
      '/settings/team',
    );
    expect(role.status).toBe(404);
    const remove = await admin.postForm(`/settings/team/${ids[b.users.clerk]}/remove`, {}, '/settings/team');
    expect(remove.status).toBe(404);
    expect(await roleOf(b, b.users.clerk)).toBe('clerk');
    expect((await admin.postForm('/settings/team/not-a-uuid/remove', {}, '/settings/team')).status).toBe(404);
  });

  it('an owner changes an admin; removing a member ends their access and unassigns their open tasks', async () => {
    const owner = await signedIn(a.users.owner);
    await owner.postForm(`/settings/team/${ids[a.users.admin]}/role`, { role: 'clerk' }, '/settings/team');
    expect(await roleOf(a, a.users.admin)).toBe('clerk');

    const scope = new OrgScope(t.app.db, a.id);
    const [task] = await scope
      .insert(tasks, {
        customerId: a.customerId,
        invoiceIds: [a.invoiceId],
        kind: 'call',
        title: 'Call about INV-1',
        dueDate: '2026-11-03',
        assigneeUserId: ids[a.users.clerk],
        idempotencyKey: 'team-remove-call',
      })
      .returning({ id: tasks.id });
    const clerk = await signedIn(a.users.clerk);
    expect((await clerk.agent.get('/tasks')).text).toContain('Call about INV-1');

    const res = await owner.postForm(`/settings/team/${ids[a.users.clerk]}/remove`, {}, '/settings/team');
    expect(res.status).toBe(303);
    expect(await flashOf(owner)).toEqual([
      'success',
      `${a.users.clerk} was removed from the team; 1 open task(s) are unassigned again.`,
    ]);
    expect(await roleOf(a, a.users.clerk)).toBeNull();
    const [after] = await scope.select(tasks, eq(tasks.id, task!.id));
    expect(after!.assigneeUserId).toBeNull();
    const [entry] = await audits(a, 'member.removed');
    expect(entry!.data).toMatchObject({ email: a.users.clerk, role: 'clerk', unassignedTasks: 1 });

    const gone = await clerk.agent.get('/tasks');
    expect(gone.status).toBe(302);
    expect(gone.headers.location).toMatch(/^\/login/);
    // signing in again says why instead of sending them round to the sign-in page
    const again = browser(t.web);
    const login = await again.login(a.users.clerk, PASSWORD);
    expect(login.status).toBe(403);
    expect(login.text).toContain('no longer a member of any firm');
    expect((await again.agent.get('/tasks')).status).toBe(302);
    // the other firm's team is untouched
    expect(await roleOf(b, b.users.clerk)).toBe('clerk');
  });
});
