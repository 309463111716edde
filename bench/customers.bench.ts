/**
 * Customers list and customer page for a large firm: 20,000 customers (one contact each),
 * 100,000 open invoices, some promises broken, disputes open and addresses bounced, bulk-inserted
 * with generate_series on embedded PGlite, or on PostgreSQL when DATABASE_URL is set. Times warm
 * (one call first, then the median of 5): the first page sorted by balance, a search by name, a
 * search by a contact's e-mail, "over 90 days, high risk" sorted by risk, and the customer page's
 * facts plus its first timeline page; prints the search query plan on stderr. Target: ≤ 300 ms
 * each. Size: CUSTOMERS_BENCH_CUSTOMERS (invoices are 5 per customer). On PostgreSQL the data goes
 * into a database of its own, dropped at the end (deleting 20,000 customers row by row through
 * their foreign keys would take far longer than the benchmark).
 */
import { sql } from 'drizzle-orm';
import { queryRows } from '../src/db/client';
import { migrate } from '../src/db/migrate';
import { connections } from '../src/db/schema';
import { OrgScope } from '../src/db/scope';
import { getCustomerDetail } from '../src/services/customers/detail';
import { firmView } from '../src/services/customers/firm';
import { customerListQuery, listCustomers, listSql } from '../src/services/customers/list';
import { customerTimeline } from '../src/services/customers/timeline';
import { createOrganization } from '../src/services/organizations';
import { benchDatabase } from './support/database';
import { medianMs } from './support/timing';

const CUSTOMERS = Number(process.env.CUSTOMERS_BENCH_CUSTOMERS ?? 20_000);
const INVOICES = CUSTOMERS * 5;
const NOW = new Date('2026-11-20T12:00:00Z');
const TODAY = '2026-11-20';

async function main() {
  const { database, drop } = await benchDatabase('customers', { poolSize: 2 });
  try {
    await migrate(database);
    const db = database.db;
    const org = await createOrganization(db, { name: `Customers bench ${Date.now()}` });
    const scope = new OrgScope(db, org.id);
    const [conn] = await scope
      .insert(connections, { platform: 'quickbooks', externalTenantId: `bench-${org.slug}` })
      .returning({ id: connections.id });
    const seedStart = Date.now();
    await db.execute(sql`
      insert into customers (organization_id, connection_id, external_id, name, email, tags, pilot)
      select ${org.id}, ${conn!.id}, 'c' || g, 'Customer ' || g, 'billing' || g || '@example.com',
             case when g % 10 = 0 then array['wholesale'] else '{}'::text[] end, g % 50 = 0
        from generate_series(1, ${CUSTOMERS}) g`);
    await db.execute(sql`
      insert into contacts (organization_id, customer_id, external_key, name, email, email_status)
      select organization_id, id, 'k-' || external_id, 'Pat ' || external_id, 'pat.' || external_id || '@example.org',
             case when external_id like '%7' then 'bounced' else 'ok' end
        from customers where organization_id = ${org.id}`);
    await db.execute(sql`
      with c as (select array_agg(id order by id) as ids from customers where organization_id = ${org.id})
      insert into invoices (organization_id, connection_id, external_id, customer_id, number, currency,
                            issue_date, due_date, total, balance, status, platform_status)
      select ${org.id}, ${conn!.id}, 'o' || g, c.ids[1 + g % ${CUSTOMERS}], 'INV-' || g, 'USD',
             ${TODAY}::date - (g % 200), ${TODAY}::date - (g % 200) + 30,
             100 + (g % 997), 100 + (g % 997), 'open', 'Open'
        from generate_series(1, ${INVOICES}) g, c`);
    await db.execute(sql`
      insert into promises (organization_id, customer_id, amount, currency, promised_date, grace_days, status,
                            source, resolved_at)
      select organization_id, id, 100, 'USD', ${TODAY}::date - 20, 3, 'broken', 'clerk', ${NOW.toISOString()}::timestamptz
        from customers where organization_id = ${org.id} and external_id like '%3'`);
    await db.execute(sql`
      insert into disputes (organization_id, customer_id, reference, kind, category, source, first_response_due_at)
      select organization_id, id, 'D-' || external_id, 'dispute', 'pricing', 'clerk', ${NOW.toISOString()}::timestamptz
        from customers where organization_id = ${org.id} and external_id like '%11'`);
    await db.execute(sql`
      insert into activities (organization_id, customer_id, kind, actor_type, body, created_at)
      select c.organization_id, c.id, 'note', 'system', 'note ' || g, ${NOW.toISOString()}::timestamptz - g * interval '1 hour'
        from customers c, generate_series(1, 3) g where c.organization_id = ${org.id}`);
    await db.execute(sql`analyze`);
    const seedMs = Date.now() - seedStart;

    const search = customerListQuery.parse({ q: 'customer 1234' });
    const firm = await firmView(scope, NOW);
    for (const [name, q] of [
      ['first page', customerListQuery.parse({})],
      ['search', search],
    ] as const) {
      const plan = await queryRows<Record<string, string>>(
        db,
        sql`explain (analyze, costs off) ${listSql(scope, firm, NOW, q, { limit: 50, offset: 0 })}`,
      );
      console.error(`${name} plan (${database.kind}):\n` + plan.map((r) => Object.values(r)[0]).join('\n'));
    }

    const list = (q: Record<string, string>) => () =>
      listCustomers(scope, customerListQuery.parse(q), { now: NOW });
    const first = await listCustomers(scope, customerListQuery.parse({}), { now: NOW });
    const one = first.rows[0]!.id;
    const firstPageMs = await medianMs(list({}));
    const searchMs = await medianMs(() => listCustomers(scope, search, { now: NOW }));
    const contactSearchMs = await medianMs(list({ q: 'pat.c4321@' }));
    const filteredMs = await medianMs(list({ overdue: '90', risk: 'high', sort: 'risk' }));
    const pageMs = await medianMs(async () => {
      const d = await getCustomerDetail(scope, one, NOW);
      await customerTimeline(scope, one, { timezone: d.firm.timezone });
    });
    console.error(`${first.total} customers, seeded in ${seedMs} ms`);
    console.log(
      JSON.stringify({
        bench: 'customers',
        metrics: {
          firstPageMs,
          searchMs,
          contactSearchMs,
          filteredMs,
          customerPageMs: pageMs,
          customers: CUSTOMERS,
          invoices: INVOICES,
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
