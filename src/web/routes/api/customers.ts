import { sql } from 'drizzle-orm';
import { Router } from 'express';
import type { AppContext } from '../../../app/context';
import { queryRows } from '../../../db/client';
import { decodeCursor, listQuery, page } from './pagination';
import { HttpError } from '../../middleware/errors';
import { isUuid } from '../../../db/scope';
import { salesContactsOnly } from '../../../services/customers/list';

interface CustomerRow {
  id: string;
  platform: string;
  externalId: string;
  name: string;
  email: string | null;
  currency: string | null;
  balance: string;
  overdueBalance: string;
}

function customerQuery(orgId: string, today: string, extra: ReturnType<typeof sql>, limit: number) {
  return sql`select c.id, k.platform, c.external_id as "externalId", c.name, c.email, c.currency,
                    coalesce(sum(i.balance) filter (where i.status = 'open'), 0)::text as balance,
                    coalesce(sum(i.balance) filter (where i.status = 'open' and i.due_date < ${today}::date), 0)::text as "overdueBalance"
               from customers c
               join connections k on k.id = c.connection_id
               left join invoices i on i.customer_id = c.id and i.organization_id = c.organization_id
              where c.organization_id = ${orgId} and c.deleted_at is null ${extra}
              group by c.id, k.platform
              order by c.id
              limit ${limit}`;
}

export function customersApi(app: AppContext): Router {
  const r = Router();
  r.get('/customers', async (req, res) => {
    const q = listQuery.parse(req.query);
    const after = decodeCursor(q.cursor);
    const today = app.now().toISOString().slice(0, 10);
    const rows = await queryRows<CustomerRow>(
      app.db,
      customerQuery(
        req.apiAuth!.organizationId,
        today,
        sql`${after ? sql`and c.id > ${after}` : sql``} ${salesContactsOnly(req.apiAuth!.organizationId)}`,
        q.limit + 1,
      ),
    );
    res.json(page(rows, q.limit));
  });
  r.get('/customers/:id', async (req, res) => {
    const id = req.params.id as string;
    if (!isUuid(id)) throw new HttpError(404, 'not_found', 'customer not found');
    const today = app.now().toISOString().slice(0, 10);
    const [row] = await queryRows<CustomerRow>(
      app.db,
      customerQuery(req.apiAuth!.organizationId, today, sql`and c.id = ${id}`, 1),
    );
    if (!row) throw new HttpError(404, 'not_found', 'customer not found');
    res.json(row);
  });
  return r;
}
