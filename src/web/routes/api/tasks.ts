import { Router, type Request } from 'express';
import type { AppContext } from '../../../app/context';
import type { Actor } from '../../../services/audit';
import { assignTask, completeTask, listTasks, reopenTask } from '../../../services/tasks';
import { assignTaskInput, type ListTasksInput } from '../../../services/tasks/input';
import { ValidationError, zodMessage } from '../../../services/errors';
import { firmToday } from './firmToday';

const tokenActor = (req: Request): Actor => ({ type: 'api_token', id: req.apiAuth!.tokenId });

/** Tasks for the firm's clerks (calls, letters, master-data checks): the queue and its outcomes. */
export function tasksApi(app: AppContext): Router {
  const r = Router();
  r.get('/tasks', async (req, res) => {
    const q = req.query as Record<string, unknown>;
    const pick = (k: string) => (typeof q[k] === 'string' && q[k] !== '' ? { [k]: q[k] } : {});
    // the API lists every status unless asked (the page shows open tasks); zod checks each value
    const input = {
      status: 'all',
      ...pick('status'),
      ...pick('assignee'),
      ...pick('due'),
      ...pick('kind'),
      ...pick('customerId'),
      ...pick('limit'),
      ...pick('cursor'),
    } as ListTasksInput;
    const page = await listTasks(req.apiAuth!.scope, input, {
      userId: null,
      today: await firmToday(app, req),
    });
    res.json({ data: page.data.map(({ phones: _phones, ...task }) => task), nextCursor: page.nextCursor });
  });

  r.post('/tasks/:id/complete', async (req, res) => {
    const done = await completeTask(
      app,
      req.apiAuth!.scope,
      String(req.params.id),
      req.body ?? {},
      tokenActor(req),
    );
    res.json(done);
  });

  r.post('/tasks/:id/assign', async (req, res) => {
    const parsed = assignTaskInput.safeParse(req.body ?? {});
    if (!parsed.success) {
      const { message, field } = zodMessage(parsed.error);
      throw new ValidationError(field ? message.slice(field.length + 2) : message, field);
    }
    const task = await assignTask(
      req.apiAuth!.scope,
      String(req.params.id),
      parsed.data.assigneeUserId,
      tokenActor(req),
    );
    res.json({ id: task.id, assigneeUserId: task.assigneeUserId });
  });

  r.post('/tasks/:id/reopen', async (req, res) => {
    const task = await reopenTask(req.apiAuth!.scope, String(req.params.id), tokenActor(req));
    res.json({ id: task.id, status: task.status });
  });
  return r;
}
