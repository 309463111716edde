import { asc, eq, gt } from 'drizzle-orm';
import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../../app/context';
import { tasks } from '../../../db/schema';
import { HttpError } from '../../middleware/errors';
import { isUuid } from '../../../db/scope';
import { decodeCursor, listQuery, page } from './pagination';

const taskQuery = listQuery.extend({
  status: z
    .enum(['open', 'done', 'cancelled', 'all'], { message: 'status must be open, done, cancelled or all' })
    .default('all'),
  customerId: z.string().optional(),
});

/** Tasks for the firm's clerks (calls, letters, master-data checks). */
export function tasksApi(_app: AppContext): Router {
  const r = Router();
  r.get('/tasks', async (req, res) => {
    const q = taskQuery.parse(req.query);
    if (q.customerId && !isUuid(q.customerId))
      throw new HttpError(400, 'invalid_request', 'customerId is not a valid id');
    const after = decodeCursor(q.cursor);
    const scope = req.apiAuth!.scope;
    const rows = await scope.db
      .select({
        id: tasks.id,
        customerId: tasks.customerId,
        invoiceIds: tasks.invoiceIds,
        kind: tasks.kind,
        title: tasks.title,
        talkingPoints: tasks.talkingPoints,
        sequenceKey: tasks.sequenceKey,
        stepKey: tasks.stepKey,
        assigneeUserId: tasks.assigneeUserId,
        dueDate: tasks.dueDate,
        status: tasks.status,
        outcome: tasks.outcome,
        createdAt: tasks.createdAt,
        completedAt: tasks.completedAt,
      })
      .from(tasks)
      .where(
        scope.where(
          tasks,
          q.status === 'all' ? undefined : eq(tasks.status, q.status),
          q.customerId ? eq(tasks.customerId, q.customerId) : undefined,
          after ? gt(tasks.id, after) : undefined,
        ),
      )
      .orderBy(asc(tasks.id))
      .limit(q.limit + 1);
    res.json(page(rows, q.limit));
  });
  return r;
}
