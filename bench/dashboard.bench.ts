/**
 * Dashboard figures for a large firm: 100,000 open invoices over 1,000 customers (plus 50,000
 * paid ones with their payments, so the metrics roll real allocations back), bulk-inserted with
 * generate_series on embedded PGlite, or on PostgreSQL when DATABASE_URL is set. Times the aging
 * and metrics services warm (one call first, then the median of 5) and prints the aging query plan
 * on stderr. Target: ≤ 300 ms each. Size: DASHBOARD_BENCH_INVOICES; DASHBOARD_BENCH_DATA_DIR keeps the
 * PGlite data for a closer look.
 */
import { sql } from 'drizzle-orm';
import { queryRows } from '../src/db/client';
import { migrate } from '../src/db/migrate';
import { connections } from '../src/db/schema';
import { OrgScope } from '../src/db/scope';
import { addDays } from '../src/domain/calendar/localDate';
import { createOrganization } from '../src/services/organizations';
import { agingQuery, agingReport } from '../src/services/reports/aging';
import { metricsReport } from '../src/services/reports/metrics';
import { benchDatabase } from './support/database';
import { medianMs } from './support/timing';

const OPEN = Number(process.env.DASHBOARD_BENCH_INVOICES ?? 100_000);
const PAID = Math.floor(OPEN / 2);
const CUSTOMERS = 1_000;
const NOW = new Date('2026-11-20T12:00:00Z');
const TODAY = '2026-11-20';

async function main() {
  // on PostgreSQL a database of its own, dropped at the end (deleting 150,000 invoices row by row
  // through their foreign keys took minutes)
  // DASHBOARD_BENCH_DATA_DIR: PGlite data kept afterwards, for looking at the plans
  const { database, drop } = await benchDatabase('dashboard', {
    poolSize: 2,
    ...(process.env.DASHBOARD_BENCH_DATA_DIR ? { keepDir: process.env.DASHBOARD_BENCH_DATA_DIR } : {}),
  });
  try {
    await migrate(database);
    const db = database.db;
    const org = await createOrganization(db, { name: `Dashboard bench ${Date.now()}` });
    const scope = new OrgScope(db, org.id);
    const [conn] = await scope
      .insert(connections, { platform: 'quickbooks', externalTenantId: `bench-${org.slug}` })
      .returning({ id: connections.id });
    const seedStart = Date.now();
    await db.execute(sql`
      insert into customers (organization_id, connection_id, external_id, name)
      select ${org.id}, ${conn!.id}, 'c' || g, 'Customer ' || g from generate_series(1, ${CUSTOMERS}) g`);
    // open invoices: issued over the last 540 days, due 30 days later, some partly paid
    await db.execute(sql`
      with c as (select array_agg(id order by id) as ids from customers where organization_id = ${org.id})
      insert into invoices (organization_id, connection_id, external_id, customer_id, number, currency,
                            issue_date, due_date, total, balance, status, platform_status)
      select ${org.id}, ${conn!.id}, 'o' || g, c.ids[1 + g % ${CUSTOMERS}], 'INV-O' || g, 'USD',
             ${TODAY}::date - (g % 540), ${TODAY}::date - (g % 540) + 30,
             100 + (g % 997) * 10, case when g % 7 = 0 then 50 + (g % 997) * 5 else 100 + (g % 997) * 10 end,
             'open', 'Open'
        from generate_series(1, ${OPEN}) g, c`);
    // paid invoices with one payment each, dated up to 60 days after issue
    await db.execute(sql`
      with c as (select array_agg(id order by id) as ids from customers where organization_id = ${org.id})
      insert into invoices (organization_id, connection_id, external_id, customer_id, number, currency,
                            issue_date, due_date, total, balance, status, platform_status)
      select ${org.id}, ${conn!.id}, 'p' || g, c.ids[1 + g % ${CUSTOMERS}], 'INV-P' || g, 'USD',
             ${TODAY}::date - 30 - (g % 540), ${TODAY}::date - (g % 540), 100 + (g % 991) * 10, 0, 'paid', 'Paid'
        from generate_series(1, ${PAID}) g, c`);
    await db.execute(sql`
      insert into payments (organization_id, connection_id, external_id, customer_id, date, amount, currency)
      select i.organization_id, i.connection_id, 'pay-' || i.external_id, i.customer_id,
             least(i.issue_date + (i.total::int % 60), ${TODAY}::date), i.total, 'USD'
        from invoices i where i.organization_id = ${org.id} and i.status = 'paid'`);
    // fresh statistics first, or the planner (expecting one row) nests loops over 50k × 150k rows
    await db.execute(sql`analyze invoices`);
    await db.execute(sql`analyze payments`);
    await db.execute(sql`
      insert into payment_allocations (organization_id, payment_id, invoice_id, invoice_external_id, amount)
      select p.organization_id, p.id, i.id, i.external_id, p.amount
        from payments p
        join invoices i on i.organization_id = p.organization_id and i.connection_id = p.connection_id
                        and i.external_id = substr(p.external_id, 5)
       where p.organization_id = ${org.id}`);
    await db.execute(sql`analyze`);
    const seedMs = Date.now() - seedStart;

    const plan = await queryRows<Record<string, string>>(
      db,
      sql`explain (analyze, costs off, timing off) ${agingQuery(scope, TODAY)}`,
    );
    console.error(`aging query plan (${database.kind}):\n` + plan.map((r) => Object.values(r)[0]).join('\n'));

    const aging = await agingReport(scope, { now: NOW });
    const metrics = await metricsReport(scope, { now: NOW });
    console.error(
      `aging total ${aging.total} over ${aging.byCustomer.length} customers; ` +
        `DSO ${metrics.dso.standard} / countback ${metrics.dso.countback}, best ${metrics.bestPossibleDso}, ` +
        `ADD ${metrics.add}, CEI ${metrics.cei}; seeded in ${seedMs} ms`,
    );
    const agingMs = await medianMs(() => agingReport(scope, { now: NOW }));
    const metricsMs = await medianMs(() =>
      metricsReport(scope, { now: NOW, from: addDays(TODAY, -89), to: TODAY }),
    );
    console.log(
      JSON.stringify({
        bench: 'dashboard',
        metrics: {
          agingMs,
          metricsMs,
          invoices: OPEN,
          paidInvoices: PAID,
          database: database.kind,
          targetMs: 300,
        },
      }),
    );
  } finally {
    await drop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
