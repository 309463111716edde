import { sql } from 'drizzle-orm';
import { queryRows } from '../../db/client';
import type { OrgScope } from '../../db/scope';

export interface ArSummary {
  currency: string;
  openInvoices: number;
  openBalance: string;
  overdueBalance: string;
  customers: number;
}

/** Headline figures for the overview page (per currency; the firm's base currency first). */
export async function arSummary(scope: OrgScope, now: Date): Promise<ArSummary[]> {
  const today = now.toISOString().slice(0, 10);
  return queryRows<ArSummary>(
    scope.db,
    sql`select i.currency,
               count(*)::int as "openInvoices",
               sum(i.balance)::text as "openBalance",
               coalesce(sum(i.balance) filter (where i.due_date < ${today}::date), 0)::text as "overdueBalance",
               count(distinct i.customer_id)::int as customers
          from invoices i
          join organizations o on o.id = i.organization_id
         where i.organization_id = ${scope.organizationId} and i.status = 'open'
         group by i.currency, o.base_currency
         order by (i.currency = o.base_currency) desc, i.currency`,
  );
}
