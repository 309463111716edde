/**
 * The task queue (`/tasks`): my tasks, the team's and unassigned ones, overdue / due today /
 * upcoming, with talking points and one-click outcomes. Any signed-in role reads; clerk and above
 * act. A task of another firm is simply not found (404).
 */
import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../../app/context';
import { localDateOf } from '../../../domain/calendar';
import { CATEGORY_LABELS } from '../../../services/disputes';
import { ServiceError } from '../../../services/errors';
import { DISPUTE_CATEGORIES } from '../../../services/policies';
import {
  assignableMembers,
  assignTask,
  completeTask,
  getTask,
  listTasks,
  reopenTask,
  type TaskView,
} from '../../../services/tasks';
import { flash, requireRole, requireUser } from '../../middleware/auth';
import { HttpError } from '../../middleware/errors';
import { actorOf, currentOrg, field } from '../settings/common';
import { tasksCsv } from './csv';
import { backTo, completionFromForm, tabOf, type Tab } from './form';

const SECTIONS = [
  { key: 'overdue', title: 'Overdue' },
  { key: 'today', title: 'Due today' },
  { key: 'upcoming', title: 'Upcoming' },
] as const;
const SECTION_LIMIT = 200;

const assigneeFilter = (tab: Tab) =>
  tab === 'mine'
    ? { assignee: 'me' as const }
    : tab === 'unassigned'
      ? { assignee: 'unassigned' as const }
      : {};

export function tasksRouter(app: AppContext): Router {
  const r = Router();

  const context = async (req: Request) => {
    const org = await currentOrg(app, req);
    return { userId: req.user!.id, today: localDateOf(app.now(), org.timezone) };
  };
  const viewLocals = async (req: Request, today: string) => ({
    today,
    members: await assignableMembers(req.org!.scope),
    categories: DISPUTE_CATEGORIES.map((c) => ({ value: c, label: CATEGORY_LABELS[c] ?? c })),
  });

  r.get('/tasks', requireUser, async (req, res) => {
    const tab = tabOf(req.query.tab);
    const ctx = await context(req);
    const sections = [];
    for (const s of SECTIONS) {
      const page = await listTasks(
        req.org!.scope,
        { ...assigneeFilter(tab), due: s.key, status: 'open', limit: SECTION_LIMIT },
        ctx,
      );
      sections.push({ ...s, tasks: page.data, more: page.nextCursor !== null });
    }
    res.render('pages/tasks', {
      title: 'Tasks',
      tab,
      sections,
      ...(await viewLocals(req, ctx.today)),
    });
  });

  r.get('/tasks.csv', requireUser, async (req, res) => {
    const tab = tabOf(req.query.tab);
    const ctx = await context(req);
    const all: TaskView[] = [];
    let cursor: string | undefined;
    do {
      const page = await listTasks(
        req.org!.scope,
        { ...assigneeFilter(tab), status: 'open', limit: 500, ...(cursor ? { cursor } : {}) },
        ctx,
      );
      all.push(...page.data);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    res.type('text/csv; charset=utf-8');
    res.attachment(`tasks-${tab}-${ctx.today}.csv`);
    res.send(tasksCsv(all));
  });

  r.get('/tasks/:id', requireUser, async (req, res) => {
    const id = String(req.params.id);
    const ctx = await context(req);
    const task = await getTask(req.org!.scope, id, ctx);
    if (!task) throw new HttpError(404, 'not_found', 'task not found');
    res.render('pages/task', { title: task.title, task, tab: 'team', ...(await viewLocals(req, ctx.today)) });
  });

  /** Run a form action; a refused one comes back as a clear message with nothing changed. */
  const act = async (req: Request, res: Response, fn: () => Promise<string>) => {
    try {
      flash(req, 'success', await fn());
    } catch (e) {
      if (!(e instanceof ServiceError) || e.status === 404) throw e;
      flash(req, 'error', `Nothing was changed: ${e.message}`);
    }
    res.redirect(303, backTo(req.body));
  };

  r.post('/tasks/:id/complete', requireUser, requireRole('clerk'), (req, res) =>
    act(req, res, async () => {
      const done = await completeTask(
        app,
        req.org!.scope,
        String(req.params.id),
        completionFromForm(req.body),
        actorOf(req),
      );
      const extra = done.promiseId
        ? ' The promise to pay is recorded; reminders pause until its date.'
        : done.disputeId
          ? ' The dispute is opened; reminders stop on its invoices.'
          : done.followUpTaskId
            ? ' A follow-up task was added.'
            : '';
      return `Task done.${extra}`;
    }),
  );

  r.post('/tasks/:id/assign', requireUser, requireRole('clerk'), (req, res) =>
    act(req, res, async () => {
      const value = field(req.body, 'assignee');
      const assignee = value === 'me' ? req.user!.id : value === '' ? null : value;
      const task = await assignTask(req.org!.scope, String(req.params.id), assignee, actorOf(req));
      return task.assigneeUserId ? 'Task assigned.' : 'Task unassigned.';
    }),
  );

  r.post('/tasks/:id/reopen', requireUser, requireRole('clerk'), (req, res) =>
    act(req, res, async () => {
      await reopenTask(req.org!.scope, String(req.params.id), actorOf(req));
      return 'Task reopened.';
    }),
  );
  return r;
}
