/**
 * Webhook endpoint latency: signed QuickBooks notifications at 200 requests/s for 15 s against
 * the web app on loopback, after a 3 s warm-up at the same rate (verify → parse → dedupe rows → enqueue; workers run elsewhere, as in
 * a production web process). Target: p99 ≤ 20 ms. Database: PGlite, or DATABASE_URL if set.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import autocannon from 'autocannon';
import pino from 'pino';
import { createQuickBooksConnector } from '../connectors/quickbooks';
import { createXeroConnector } from '../connectors/xero';
import { ALL_JOBS } from '../jobs/registry';
import { buildApp, closeApp } from '../src/app/build';
import { parseEnv } from '../src/config/env';
import { hmacBase64 } from '../src/crypto/tokens';
import { openDatabase } from '../src/db/client';
import { connections } from '../src/db/schema';
import { OrgScope } from '../src/db/scope';
import { createOrganization } from '../src/services/organizations';
import { createWebApp } from '../src/web/app';

const VERIFIER = 'bench-verifier';
/** quickbooks (default) or xero: the same intake path behind each platform's signature and shape. */
const PLATFORM = process.env.WEBHOOK_BENCH_PLATFORM === 'xero' ? 'xero' : 'quickbooks';
const RATE = Number(process.env.WEBHOOK_BENCH_RATE ?? 200);
const SECONDS = Number(process.env.WEBHOOK_BENCH_SECONDS ?? 15);
const WARM_UP_SECONDS = 3;

/** The server runs in its own process: a load generator in the same event loop would skew it. */
async function serve() {
  const config = parseEnv({
    NODE_ENV: 'test',
    DATA_DIR: path.join(os.tmpdir(), 'duely-bench-webhooks'),
    ENCRYPTION_KEY: crypto.randomBytes(32).toString('base64'),
    SESSION_SECRET: crypto.randomBytes(32).toString('hex'),
    QUICKBOOKS_CLIENT_ID: 'bench',
    QUICKBOOKS_CLIENT_SECRET: 'bench',
    QUICKBOOKS_WEBHOOK_VERIFIER_TOKEN: VERIFIER,
    XERO_CLIENT_ID: 'bench',
    XERO_CLIENT_SECRET: 'bench',
    XERO_WEBHOOK_KEY: VERIFIER,
    LOG_LEVEL: 'silent',
    ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
  });
  const database = await openDatabase({ url: config.DATABASE_URL, dataDir: 'memory://' });
  const app = await buildApp({
    config,
    jobs: ALL_JOBS,
    connectors: (c) => [
      createQuickBooksConnector({
        clientId: 'bench',
        clientSecret: 'bench',
        environment: 'sandbox',
        baseUrl: c.QUICKBOOKS_BASE_URL,
      }),
      createXeroConnector({ clientId: 'bench', clientSecret: 'bench', baseUrl: c.XERO_BASE_URL }),
    ],
    logger: pino({ level: 'silent' }),
    database,
  });
  const org = await createOrganization(app.db, { name: `Webhook Bench ${Date.now()}` });
  const realmId = `bench-${crypto.randomBytes(4).toString('hex')}`;
  await new OrgScope(app.db, org.id).insert(connections, {
    platform: PLATFORM,
    externalTenantId: realmId,
    status: 'connected',
  });
  const server = createWebApp(app).listen(0);
  const port = (server.address() as { port: number }).port;
  process.stdout.write(
    JSON.stringify({ port, realmId, database: config.DATABASE_URL ? 'postgres' : 'pglite' }) + '\n',
  );
  process.on('SIGTERM', () => {
    server.close();
    void closeApp(app, 1000).then(() => process.exit(0));
  });
}

async function main() {
  const child = spawn(process.execPath, [__filename, '--serve'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: process.env,
  });
  const line = await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  const { port, realmId, database } = JSON.parse(line) as { port: number; realmId: string; database: string };
  let n = 0;
  const quickBooksPayload = () =>
    JSON.stringify({
      eventNotifications: [
        {
          realmId,
          dataChangeEvent: {
            entities: [
              {
                name: 'Invoice',
                id: String(n % 5000),
                operation: 'Update',
                lastUpdated: new Date(Date.now() + n).toISOString(),
              },
            ],
          },
        },
      ],
    });
  const xeroPayload = () =>
    JSON.stringify({
      events: [
        {
          resourceUrl: `https://api.xero.com/api.xro/2.0/Invoices/${n % 5000}`,
          resourceId: `00000000-0000-4000-8000-${String(n % 5000).padStart(12, '0')}`,
          eventDateUtc: new Date(Date.now() + n).toISOString(),
          eventType: 'UPDATE',
          eventCategory: 'INVOICE',
          tenantId: realmId,
          tenantType: 'ORGANISATION',
        },
      ],
      firstEventSequence: n,
      lastEventSequence: n,
      entropy: crypto.randomBytes(10).toString('hex'),
    });
  const body = () => {
    n++;
    const payload = PLATFORM === 'xero' ? xeroPayload() : quickBooksPayload();
    const signature = hmacBase64(VERIFIER, payload);
    return {
      body: payload,
      headers: {
        'content-type': 'application/json',
        ...(PLATFORM === 'xero' ? { 'x-xero-signature': signature } : { 'intuit-signature': signature }),
      },
    };
  };
  const load = (duration: number) =>
    autocannon({
      url: `http://127.0.0.1:${port}/webhooks/${PLATFORM}`,
      method: 'POST',
      connections: Number(process.env.WEBHOOK_BENCH_CONNECTIONS ?? 4),
      overallRate: RATE,
      duration,
      requests: [{ setupRequest: (req) => ({ ...req, ...body() }) }],
    });
  // warm-up, not measured: a fresh process compiles its hot paths and opens its pool connections
  const warmUp = await load(WARM_UP_SECONDS);
  const result = await load(SECONDS);
  child.kill('SIGTERM');
  const ok = result['2xx'];
  console.log(
    JSON.stringify({
      bench: 'webhooks',
      metrics: {
        database,
        platform: PLATFORM,
        ratePerSec: RATE,
        requests: result.requests.total,
        ok2xx: ok,
        non2xx: result.non2xx,
        p50Ms: result.latency.p50,
        p97_5Ms: result.latency.p97_5,
        p99Ms: result.latency.p99,
        p99_9Ms: result.latency.p99_9,
        maxMs: result.latency.max,
        targetP99Ms: 20,
        warmUpP99Ms: warmUp.latency.p99,
      },
    }),
  );
}

(process.argv.includes('--serve') ? serve() : main()).catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
