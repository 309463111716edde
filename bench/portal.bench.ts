/**
 * Portal invoice list: `GET /portal` for a customer with 200 open invoices (in a firm with 100
 * other customers and 20,000 more invoices), against the web app in production mode (EJS view
 * cache on) on loopback, in its own process. Portal sessions are opened through real magic links;
 * requests rotate over PORTAL_BENCH_SESSIONS sessions of that customer (as many people of the
 * customer's AP team would), which also keeps each link under the per-link throttle. autocannon
 * drives it for PORTAL_BENCH_SECONDS (10) at PORTAL_BENCH_CONNECTIONS (10) concurrent connections,
 * which keeps the one server process saturated. The list does not change during the run, so
 * each request is served from what was built for the same fingerprint of the customer's open
 * invoices (openInvoicesPage.ts); a list that changed costs a read and a render as before.
 * Target: ≥ 300 requests/s with p99 ≤ 100 ms on PostgreSQL. Database: a fresh database created on the DATABASE_URL server (dropped afterwards,
 * so a long job elsewhere on that server's default database cannot block the migrations), else
 * embedded PGlite.
 */
import { spawn } from 'node:child_process';
import cluster from 'node:cluster';
import crypto from 'node:crypto';
import fs from 'node:fs';
import inspector from 'node:inspector';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import autocannon from 'autocannon';
import { eq, sql } from 'drizzle-orm';
import pino from 'pino';
import { ALL_JOBS } from '../jobs/registry';
import { buildApp, closeApp } from '../src/app/build';
import { parseEnv } from '../src/config/env';
import { superviseWebWorkers } from '../src/runtime/cluster';
import { openDatabase } from '../src/db/client';
import { connections, customers, organizations } from '../src/db/schema';
import { OrgScope } from '../src/db/scope';
import { createOrganization } from '../src/services/organizations';
import { issuePortalLink } from '../src/services/portal/tokens';
import { createWebApp } from '../src/web/app';
import { scratchDatabase } from './support/database';

const OPEN_INVOICES = Number(process.env.PORTAL_BENCH_INVOICES ?? 200);
const OTHER_CUSTOMERS = 100;
const SESSIONS = Number(process.env.PORTAL_BENCH_SESSIONS ?? 64);
const SECONDS = Number(process.env.PORTAL_BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.PORTAL_BENCH_CONNECTIONS ?? 10);
const WORKERS = Number(process.env.PORTAL_BENCH_WORKERS ?? 1);
const TODAY = new Date().toISOString().slice(0, 10);

/** A web worker of the cluster: the app on the port the primary picked. */
async function serveWorker() {
  const config = benchConfig();
  const database = await openDatabase({ url: config.DATABASE_URL, dataDir: 'memory://' });
  const app = await buildApp({
    config,
    jobs: ALL_JOBS,
    connectors: () => [],
    logger: pino({ level: 'silent' }),
    database,
  });
  const server = createWebApp(app).listen(Number(process.env.PORTAL_BENCH_PORT), '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  process.on('SIGTERM', () => {
    server.close();
    void closeApp(app, 1000)
      .catch(() => undefined)
      .then(() => process.exit(0));
  });
}

function benchConfig() {
  return parseEnv({
    NODE_ENV: 'production',
    BASE_URL: 'http://127.0.0.1',
    DATA_DIR: path.join(os.tmpdir(), 'duely-bench-portal'),
    ENCRYPTION_KEY: process.env.PORTAL_BENCH_KEY!,
    SESSION_SECRET: process.env.PORTAL_BENCH_SECRET!,
    LOG_LEVEL: 'silent',
    ...(process.env.PORTAL_BENCH_DB_URL ? { DATABASE_URL: process.env.PORTAL_BENCH_DB_URL } : {}),
  });
}

/** The server: seed, issue links, listen on loopback, report port and links on stdout. */
async function serve() {
  if (cluster.isWorker) return serveWorker();
  process.env.PORTAL_BENCH_KEY = crypto.randomBytes(32).toString('base64');
  process.env.PORTAL_BENCH_SECRET = crypto.randomBytes(32).toString('hex');
  const config = benchConfig();
  const database = await openDatabase({ url: config.DATABASE_URL, dataDir: 'memory://' });
  const app = await buildApp({
    config,
    jobs: ALL_JOBS,
    connectors: () => [],
    logger: pino({ level: 'silent' }),
    database,
  });
  const org = await createOrganization(app.db, { name: `Portal Bench ${Date.now()}` });
  const scope = new OrgScope(app.db, org.id);
  await app.db
    .update(organizations)
    .set({ branding: { color: '#0f766e', paymentInstructions: 'Bank transfer to IBAN XX00 0000 0000' } })
    .where(eq(organizations.id, org.id));
  const [conn] = await scope
    .insert(connections, { platform: 'quickbooks', externalTenantId: `bench-${org.slug}` })
    .returning({ id: connections.id });
  const [customer] = await scope
    .insert(customers, {
      connectionId: conn!.id,
      externalId: 'bench-customer',
      name: 'Bench Customer Ltd',
      email: 'ap@bench.example',
      currency: 'USD',
    })
    .returning({ id: customers.id });
  await app.db.execute(sql`
    insert into customers (organization_id, connection_id, external_id, name)
    select ${org.id}, ${conn!.id}, 'c' || g, 'Other Customer ' || g from generate_series(1, ${OTHER_CUSTOMERS}) g`);
  // the benchmarked customer: open invoices over the last year, some past due, a few with a pay link
  await app.db.execute(sql`
    insert into invoices (organization_id, connection_id, external_id, customer_id, number, currency,
                          issue_date, due_date, total, balance, status, platform_status, online_payment_url,
                          platform_updated_at)
    select ${org.id}, ${conn!.id}, 'b' || g, ${customer!.id}, 'INV-' || (10000 + g), 'USD',
           ${TODAY}::date - (g * 2), ${TODAY}::date - (g * 2) + 30,
           100 + (g % 97) * 10, case when g % 5 = 0 then 50 + (g % 97) * 5 else 100 + (g % 97) * 10 end,
           'open', 'Open', case when g % 4 = 0 then 'https://pay.example.com/i/' || g end, now()
      from generate_series(1, ${OPEN_INVOICES}) g`);
  // paid history and other customers' invoices, so the indexes are not trivially small
  await app.db.execute(sql`
    with c as (select array_agg(id order by id) as ids from customers where organization_id = ${org.id})
    insert into invoices (organization_id, connection_id, external_id, customer_id, number, currency,
                          issue_date, due_date, total, balance, status, platform_status)
    select ${org.id}, ${conn!.id}, 'o' || g, c.ids[1 + g % (${OTHER_CUSTOMERS} + 1)], 'X-' || g, 'USD',
           ${TODAY}::date - (g % 400), ${TODAY}::date - (g % 400) + 30, 100, 0, 'paid', 'Paid'
      from generate_series(1, 20000) g, c`);
  await app.db.execute(sql`analyze`);
  const links: string[] = [];
  for (let i = 0; i < SESSIONS; i++) {
    const link = await issuePortalLink(app, scope, { customerId: customer!.id, origin: 'clerk' });
    links.push(new URL(link.url).pathname);
  }
  const server = createWebApp(app).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const port = (server.address() as { port: number }).port;
  const pids: number[] = [];
  if (WORKERS > 1) {
    // the product's web cluster (WEB_CONCURRENCY): workers re-run this script in --serve mode
    server.close();
    const listening = new Promise<void>((resolve) => {
      let n = 0;
      cluster.on('listening', () => {
        if (++n === WORKERS) resolve();
      });
    });
    const web = superviseWebWorkers({
      count: WORKERS,
      logger: pino({ level: 'silent' }),
      env: { PORTAL_BENCH_PORT: String(port) },
    });
    await listening;
    pids.push(...web.pids());
    process.on('SIGTERM', () => web.stop());
  }
  process.stdout.write(JSON.stringify({ port, links, pids, database: database.kind }) + '\n');
  // PORTAL_BENCH_CPU_PROF=<file>: a V8 CPU profile of the server during the measured run only
  const profile = process.env.PORTAL_BENCH_CPU_PROF ? new inspector.Session() : null;
  if (profile) {
    profile.connect();
    process.on('SIGUSR2', () => {
      profile.post('Profiler.enable', () => profile.post('Profiler.start'));
    });
  }
  process.on('SIGTERM', () => {
    server.close();
    if (profile)
      profile.post('Profiler.stop', (err, res) => {
        if (!err) fs.writeFileSync(process.env.PORTAL_BENCH_CPU_PROF!, JSON.stringify(res.profile));
      });
    void closeApp(app, 1000)
      .catch(() => undefined)
      .then(() => process.exit(0));
  });
}

/** CPU time a process has used in user and kernel mode (ms), from /proc on Linux; null elsewhere. */
function cpuMsOf(pid: number | undefined): { user: number; system: number } | null {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return { user: Number(fields[11]) * 10, system: Number(fields[12]) * 10 }; // 100 ticks/s
  } catch {
    return null;
  }
}

function sumCpu(all: ({ user: number; system: number } | null)[]): { user: number; system: number } | null {
  if (all.some((c) => !c)) return null;
  return all.reduce<{ user: number; system: number }>(
    (a, c) => ({ user: a.user + c!.user, system: a.system + c!.system }),
    { user: 0, system: 0 },
  );
}

async function main() {
  const own = process.env.DATABASE_URL ? await scratchDatabase(process.env.DATABASE_URL, 'portal') : null;
  const child = spawn(process.execPath, [__filename, '--serve'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...(own ? { PORTAL_BENCH_DB_URL: own.url } : {}) },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const line = await new Promise<string>((resolve, reject) => {
      readline.createInterface({ input: child.stdout! }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
    });
    const { port, links, pids, database } = JSON.parse(line) as {
      port: number;
      links: string[];
      pids: number[];
      database: string;
    };
    const serverPids = [child.pid!, ...pids];
    const serverCpu = () => sumCpu(serverPids.map(cpuMsOf));
    const base = `http://127.0.0.1:${port}`;
    // open one portal session per link, as a browser following the e-mail would
    const cookies: string[] = [];
    for (const [i, link] of links.entries()) {
      // each session is another person (another address): the per-IP limit on opening links holds
      const res = await fetch(base + link, {
        redirect: 'manual',
        headers: { 'x-forwarded-for': `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}` },
      });
      const cookie = res.headers.get('set-cookie')?.split(';')[0];
      if (res.status !== 303 || !cookie) throw new Error(`link did not open a session: ${res.status}`);
      cookies.push(cookie);
    }
    const check = await fetch(`${base}/portal`, { headers: { cookie: cookies[0]! } });
    const html = await check.text();
    const rows = (html.match(/<tr>/g) ?? []).length - 1;
    if (check.status !== 200 || rows !== OPEN_INVOICES)
      throw new Error(`GET /portal answered ${check.status} with ${rows} invoice rows`);
    console.error(`portal bench: ${database}, ${rows} invoices, ${html.length} bytes per page`);

    let n = 0;
    const run = (duration: number) =>
      autocannon({
        url: `${base}/portal`,
        connections: CONNECTIONS,
        duration,
        requests: [
          {
            setupRequest: (req) => ({
              ...req,
              headers: { ...req.headers, cookie: cookies[n++ % cookies.length]! },
            }),
          },
        ],
      });
    await run(2); // warm-up: JIT, view cache, connection pool
    if (process.env.PORTAL_BENCH_CPU_PROF) child.kill('SIGUSR2');
    const cpuBefore = serverCpu();
    const result = await run(SECONDS);
    const cpuAfter = serverCpu();
    // the server's own CPU per request: what the page costs, whatever else shares the machine
    const perRequest = (pick: (c: { user: number; system: number }) => number) =>
      cpuBefore && cpuAfter && result.requests.total
        ? Math.round(((pick(cpuAfter) - pick(cpuBefore)) / result.requests.total) * 100) / 100
        : null;
    const metrics = {
      rps: Math.round(result.requests.average),
      p99Ms: result.latency.p99,
      p50Ms: result.latency.p50,
      database,
      maxMs: result.latency.max,
      serverCpuMsPerRequest: perRequest((c) => c.user + c.system),
      serverKernelMsPerRequest: perRequest((c) => c.system),
      loadAverage1m: Math.round(os.loadavg()[0]! * 10) / 10,
      cpus: os.cpus().length,
      requests: result.requests.total,
      non2xx: result.non2xx,
      errors: result.errors,
      connections: CONNECTIONS,
      invoices: OPEN_INVOICES,
      targetRps: 300,
      targetP99Ms: 100,
    };
    if (result.non2xx || result.errors) console.error('portal bench: some requests failed', metrics);
    console.log(JSON.stringify({ bench: 'portal', metrics }));
  } finally {
    child.kill('SIGTERM');
    await exited;
    await own?.drop();
  }
}

(process.argv.includes('--serve') ? serve() : main()).catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
