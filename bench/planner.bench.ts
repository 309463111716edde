/**
 * The reminders sweep at scale: 1,000 firms × 1,000 open invoices (100 customers each) on
 * PostgreSQL, bulk-loaded with generate_series into a database of its own that is dropped
 * afterwards. Each invoice's `next_action_at` is spread over the coming ~12 days, so moving the
 * sweep's "now" controls how many are due. Measured with the product's own code:
 *
 * - findDueMs: `findDue` (services/reminders/due.ts), the sweep's one query over the partial index
 *   on next_action_at, at 1,000 / 10,000 / 50,000 due invoices (median of 5, warm);
 * - planDueMs: planning every due firm for its due customers (`planForFirm` with customerIds:
 *   planner input from the database + the pure planner), one firm after another in one process
 *   (the sweep spreads them over the workers' reminders.run jobs);
 * - openScaling: findDue at a fixed ~10,000 due while the open invoices go 1,000,000 → 500,000 →
 *   250,000 (the rest marked paid): the time follows the number due, not the number open;
 * - findDuePages / pages: the database pages the query touched (EXPLAIN BUFFERS), the same
 *   comparison without the noise of a shared machine.
 *
 * Without DATABASE_URL it runs on embedded PGlite with 100 firms (100,000 invoices) and says so.
 * Sizes: PLANNER_BENCH_FIRMS, PLANNER_BENCH_INVOICES_PER_FIRM. Target: findDue ≤ 5 s.
 */
import { sql } from 'drizzle-orm';
import type { AppContext } from '../src/app/context';
import { queryRows, type Database } from '../src/db/client';
import { migrate } from '../src/db/migrate';
import { OrgScope } from '../src/db/scope';
import { findDue, findDueQuery, type DueFirm } from '../src/services/reminders/due';
import { planForFirm } from '../src/services/reminders/run';
import { ensureSequences } from '../src/services/sequences';
import { benchDatabase } from './support/database';
import { medianMs } from './support/timing';

const BASE_URL = process.env.DATABASE_URL || undefined;
const FIRMS = Number(process.env.PLANNER_BENCH_FIRMS ?? (BASE_URL ? 1_000 : 100));
const PER_FIRM = Number(process.env.PLANNER_BENCH_INVOICES_PER_FIRM ?? 1_000);
const CUSTOMERS_PER_FIRM = 100;
const TOTAL = FIRMS * PER_FIRM;
const DUE_LEVELS = [1_000, 10_000, 50_000].filter((n) => n <= TOTAL / 4);
const TODAY = '2026-11-20';
/** next_action_at of invoice k (1…TOTAL, a permutation of the load order) is BASE + k seconds. */
const BASE = new Date('2026-11-20T06:00:00Z');

const ms = (start: bigint) => Math.round(Number(process.hrtime.bigint() - start) / 1e5) / 10;

async function load(database: Database): Promise<number> {
  const db = database.db;
  const start = Date.now();
  await db.execute(sql`
    insert into organizations (slug, name, timezone, country, automation)
    select 'bench-firm-' || f, 'Bench firm ' || f, 'UTC', 'US', 'live' from generate_series(1, ${FIRMS}) f`);
  await db.execute(sql`
    insert into connections (organization_id, platform, external_tenant_id)
    select id, 'quickbooks', 'realm-' || slug from organizations`);
  await db.execute(sql`
    insert into customers (organization_id, connection_id, external_id, name, email, phone)
    select n.organization_id, n.id, 'c' || g, 'Customer ' || g, 'ap' || g || '@customer.example', '+1 555 0100'
      from connections n, generate_series(1, ${CUSTOMERS_PER_FIRM}) g`);
  // invoice g of a firm belongs to customer 1 + g % 100; issued over the last 90 days, due 30 days
  // later; k = its rank in a permutation across all firms decides when the planner looks again
  await db.execute(sql`
    with c as (
      select organization_id, connection_id, array_agg(id order by external_id) as ids,
             row_number() over (order by organization_id) - 1 as f
        from customers group by organization_id, connection_id)
    insert into invoices (organization_id, connection_id, external_id, customer_id, number, currency,
                          issue_date, due_date, total, balance, status, platform_status, next_action_at)
    select c.organization_id, c.connection_id, 'i' || g, c.ids[1 + g % ${CUSTOMERS_PER_FIRM}], 'INV-' || g, 'USD',
           ${TODAY}::date - (g % 90), ${TODAY}::date - (g % 90) + 30, 100 + (g % 97) * 10, 100 + (g % 97) * 10,
           'open', 'Open',
           ${BASE.toISOString()}::timestamptz
             + make_interval(secs => 1 + ((c.f * ${PER_FIRM} + g - 1) * 7919::bigint) % ${TOTAL})
      from c, generate_series(1, ${PER_FIRM}) g`);
  await db.execute(sql`vacuum analyze`);
  // each firm's sequences, seeded as the first planning would
  const orgIds = await queryRows<{ id: string }>(db, sql`select id from organizations`);
  for (let i = 0; i < orgIds.length; i += 8) {
    await Promise.all(orgIds.slice(i, i + 8).map((o) => ensureSequences(new OrgScope(db, o.id))));
  }
  return Date.now() - start;
}

/** Pages the sweep's query touches (shared buffers hit + read): the work, free of timing noise. */
async function pagesTouched(database: Database, at: Date): Promise<number> {
  const [row] = await queryRows<Record<string, unknown>>(
    database.db,
    sql`explain (analyze, buffers, format json) ${findDueQuery(at)}`,
  );
  const raw = Object.values(row!)[0];
  const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan: Record<string, number> }[];
  const top = plan[0]!.Plan;
  return (top['Shared Hit Blocks'] ?? 0) + (top['Shared Read Blocks'] ?? 0);
}

const dueAt = (n: number, openFraction = 1) => new Date(BASE.getTime() + Math.round(n / openFraction) * 1000);

async function planAll(
  app: AppContext,
  due: DueFirm[],
  asOf: Date,
): Promise<{ ms: number; actions: number }> {
  const start = process.hrtime.bigint();
  let actions = 0;
  for (const f of due) {
    const doc = await planForFirm(app, f.organizationId, asOf, { customerIds: f.customerIds });
    actions += doc.actions.length;
  }
  return { ms: ms(start), actions };
}

async function main() {
  const { database, drop } = await benchDatabase('planner', { poolSize: 4 });
  try {
    await migrate(database);
    const db = database.db;
    const loadMs = await load(database);
    const app = { db, now: () => BASE } as unknown as AppContext;
    const dueCount = async (at: Date) => (await findDue(db, at)).reduce((sum, f) => sum + f.invoices, 0);

    const plan = await queryRows<Record<string, string>>(
      db,
      sql`explain (analyze, costs off, timing off)
          select i.organization_id, i.customer_id from invoices i
           where i.status = 'open' and (i.next_action_at is null or i.next_action_at <= ${dueAt(10_000).toISOString()}::timestamptz)`,
    );
    console.error(
      `due selection plan (${database.kind}):\n` + plan.map((r) => Object.values(r)[0]).join('\n'),
    );

    // warm the process and the caches (compiled code, holidays, sequences, customer pages) first
    const highest = dueAt(DUE_LEVELS[DUE_LEVELS.length - 1]!);
    await planAll(app, (await findDue(db, highest)).slice(0, 50), highest);

    const dueToday: number[] = [];
    const dueFirms: number[] = [];
    const findDueMs: number[] = [];
    const findDuePages: number[] = [];
    const planDueMs: number[] = [];
    const plannedActions: number[] = [];
    for (const n of DUE_LEVELS) {
      const at = dueAt(n);
      const due = await findDue(db, at);
      dueToday.push(due.reduce((sum, f) => sum + f.invoices, 0));
      dueFirms.push(due.length);
      findDueMs.push(await medianMs(() => findDue(db, at)));
      findDuePages.push(await pagesTouched(database, at));
      const planned = await planAll(app, due, at);
      planDueMs.push(planned.ms);
      plannedActions.push(planned.actions);
      console.error(
        `due ${dueToday.at(-1)} in ${due.length} firms: find ${findDueMs.at(-1)} ms, plan ${planned.ms} ms (${planned.actions} actions)`,
      );
    }

    // the same ~10,000 due while fewer invoices are open (the rest paid): the sweep's time stays
    const openScaling: { openInvoices: number; dueToday: number; findDueMs: number; pages: number }[] = [];
    const fixedDue = DUE_LEVELS[1] ?? DUE_LEVELS[0]!;
    for (const [fraction, mod] of [
      [1, 1],
      [0.5, 2],
      [0.25, 4],
    ] as const) {
      if (mod > 1) {
        await db.execute(
          sql`update invoices set status = 'paid', balance = 0
               where status = 'open' and (substr(external_id, 2))::int % ${mod} <> 0`,
        );
        await db.execute(sql`vacuum analyze invoices`);
      }
      const [open] = await queryRows<{ n: number }>(
        db,
        sql`select count(*)::int as n from invoices where status = 'open'`,
      );
      const at = dueAt(fixedDue, fraction);
      openScaling.push({
        openInvoices: open!.n,
        dueToday: await dueCount(at),
        findDueMs: await medianMs(() => findDue(db, at)),
        pages: await pagesTouched(database, at),
      });
      console.error(
        `open ${open!.n}: due ${openScaling.at(-1)!.dueToday}, find ${openScaling.at(-1)!.findDueMs} ms`,
      );
    }

    console.log(
      JSON.stringify({
        bench: 'planner',
        metrics: {
          database: database.kind,
          ...(BASE_URL ? {} : { note: 'no DATABASE_URL: embedded PGlite with a smaller ledger' }),
          firms: FIRMS,
          openInvoices: TOTAL,
          dueToday,
          dueFirms,
          findDueMs,
          findDuePages,
          planDueMs,
          plannedActions,
          openScaling,
          loadMs,
          targetFindDueMs: 5000,
        },
      }),
    );
  } finally {
    if (!process.env.PLANNER_BENCH_KEEP) await drop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
