import { asc, eq, gt, type SQL } from 'drizzle-orm';
import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../../app/context';
import { connections, invoices } from '../../../db/schema';
import { isUuid } from '../../../db/scope';
import { agingBucket, daysPastDue } from '../../../domain/aging';
import { formatMoney, parseMoney } from '../../../domain/money';
import { HttpError } from '../../middleware/errors';
import { decodeCursor, listQuery, page } from './pagination';
import { firmToday } from './firmToday';

const invoiceQuery = listQuery.extend({
  status: z
    .enum(['open', 'paid', 'voided', 'all'], { message: 'status must be open, paid, voided or all' })
    .default('all'),
  customerId: z.string().optional(),
});

type Row = typeof invoices.$inferSelect & { platform: string };

function present(row: Row, today: string) {
  const days = row.status === 'open' ? Math.max(0, daysPastDue(row.dueDate, today)) : 0;
  return {
    id: row.id,
    platform: row.platform,
    externalId: row.externalId,
    number: row.number,
    customerId: row.customerId,
    currency: row.currency,
    issueDate: row.issueDate,
    dueDate: row.dueDate,
    total: trim(row.total, row.currency),
    balance: trim(row.balance, row.currency),
    status: row.status,
    daysOverdue: days,
    agingBucket: agingBucket(days),
  };
}

const trim = (v: string, currency: string) => formatMoney(parseMoney(v), currency);

export function invoicesApi(app: AppContext): Router {
  const r = Router();
  const select = (scopeWhere: SQL) =>
    app.db
      .select({ inv: invoices, platform: connections.platform })
      .from(invoices)
      .innerJoin(connections, eq(connections.id, invoices.connectionId))
      .where(scopeWhere);

  r.get('/invoices', async (req, res) => {
    const q = invoiceQuery.parse(req.query);
    const scope = req.apiAuth!.scope;
    const after = decodeCursor(q.cursor);
    if (q.customerId && !isUuid(q.customerId))
      throw new HttpError(400, 'invalid_request', 'customerId is not a valid id');
    const where = scope.where(
      invoices,
      q.status === 'all' ? undefined : eq(invoices.status, q.status),
      q.customerId ? eq(invoices.customerId, q.customerId) : undefined,
      after ? gt(invoices.id, after) : undefined,
    );
    const rows = await select(where)
      .orderBy(asc(invoices.id))
      .limit(q.limit + 1);
    const today = await firmToday(app, req);
    const p = page(
      rows.map((x) => ({ ...x.inv, platform: x.platform })),
      q.limit,
    );
    res.json({ data: p.data.map((row) => present(row, today)), nextCursor: p.nextCursor });
  });

  r.get('/invoices/:id', async (req, res) => {
    const id = req.params.id as string;
    if (!isUuid(id)) throw new HttpError(404, 'not_found', 'invoice not found');
    const [row] = await select(req.apiAuth!.scope.where(invoices, eq(invoices.id, id))).limit(1);
    if (!row) throw new HttpError(404, 'not_found', 'invoice not found');
    res.json(present({ ...row.inv, platform: row.platform }, await firmToday(app, req)));
  });
  return r;
}
