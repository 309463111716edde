import { sql } from 'drizzle-orm';
import { Router } from 'express';
import type { AppContext } from '../../../app/context';
import { queryRows } from '../../../db/client';
import { decodeCursor, listQuery, page } from './pagination';
import { HttpError } from '../../middleware/errors';
import { isUuid } from '../../../db/scope';
import { salesContactsOnly } from '../../../services/customers/list';
import { firmToday } from './firmToday';
import { formatMoney, parseMoney } from '../../../domain/money';

interface CustomerRow {
  id: string;
  platform: string;
  externalId: string;
  name: string;
  email: string | null;
  currency: string;
  balance: string;
  overdueBalance: string;
}

/**
 * The customer's currency is its own, else its open invoices', else the firm's base currency
 * (as on the customers page); balances are written in that currency's minor units, as the
 * invoices API writes them.
 */
function customerQuery(orgId: string, today: string, extra: ReturnType<typeof sql>, limit: number) {
  return sql`select c.id, k.platform, c.external_id as "externalId", c.name, c.email,
                    coalesce(c.currency, min(i.currency) filter (where i.status = 'open'), o.base_currency) as currency,
                    coalesce(sum(i.balance) filter (where i.status = 'open'), 0)::text as balance,
                    coalesce(sum(i.balance) filter (where i.status = 'open' and i.due_date < ${today}::date), 0)::text as "overdueBalance"
               from customers c
               join organizations o on o.id = c.organization_id
               join connections k on k.id = c.connection_id
               left join invoices i on i.customer_id = c.id and i.organization_id = c.organization_id
              where c.organization_id = ${orgId} and c.deleted_at is null ${extra}
              group by c.id, k.platform, o.base_currency
              order by c.id
              limit ${limit}`;
}

const present = (r: CustomerRow): CustomerRow => ({
  ...r,
  balance: formatMoney(parseMoney(r.balance), r.currency),
  overdueBalance: formatMoney(parseMoney(r.overdueBalance), r.currency),
});

export function customersApi(app: AppContext): Router {
  const r = Router();
  r.get('/customers', async (req, res) => {
    const q = listQuery.parse(req.query);
    const after = decodeCursor(q.cursor);
    const today = await firmToday(app, req);
    const rows = await queryRows<CustomerRow>(
      app.db,
      customerQuery(
        req.apiAuth!.organizationId,
        today,
        sql`${after ? sql`and c.id > ${after}` : sql``} ${salesContactsOnly(req.apiAuth!.organizationId)}`,
        q.limit + 1,
      ),
    );
    const p = page(rows, q.limit);
    res.json({ ...p, data: p.data.map(present) });
  });
  r.get('/customers/:id', async (req, res) => {
    const id = req.params.id as string;
    if (!isUuid(id)) throw new HttpError(404, 'not_found', 'customer not found');
    const today = await firmToday(app, req);
    const [row] = await queryRows<CustomerRow>(
      app.db,
      customerQuery(req.apiAuth!.organizationId, today, sql`and c.id = ${id}`, 1),
    );
    if (!row) throw new HttpError(404, 'not_found', 'customer not found');
    res.json(present(row));
  });
  return r;
}
