/**
 * Render throughput: messages from templates compiled once (the product path) versus compiling
 * MJML for every message. Prints one final JSON line:
 *   {"bench":"render","metrics":{"messagesPerSec","compilePerMessagePerSec","ratio","rssMbStart","rssMbEnd"}}
 * Run: npx tsx bench/render.bench.ts  (N and N_COMPILE may be set in the environment)
 */
import { createRenderer, loadBuiltinTemplates, type EmailData } from '../src/email';

const N = Number(process.env.N ?? 5000);
const N_COMPILE = Number(process.env.N_COMPILE ?? 200);

function data(i: number): EmailData {
  const invoices = Array.from({ length: 1 + (i % 4) }, (_, k) => ({
    number: String(10_000 + i * 4 + k),
    dueDate: `2026-05-${String(1 + ((i + k) % 28)).padStart(2, '0')}`,
    balance: `${100 + ((i * 37 + k * 11) % 90_000)}.${String(i % 100).padStart(2, '0')}`,
    currency: 'USD',
  }));
  return {
    firm: {
      name: 'Northwind Consulting',
      branding: {
        color: '#0b5fff',
        replyTo: 'ar@northwind.test',
        paymentInstructions: 'ACH routing 021000021',
      },
    },
    contact: { name: `Contact <${i}> & Co` },
    customer: { name: `Customer ${i}` },
    invoices,
    asOf: '2026-06-15',
    portalUrl: `https://app.duely.test/p/${i.toString(36)}`,
    unsubscribeUrl: `https://app.duely.test/u/${i.toString(36)}`,
  };
}

const mb = () => Math.round((process.memoryUsage().rss / 1_048_576) * 10) / 10;
const secondsSince = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;

async function main(): Promise<void> {
  const { templates, layout } = loadBuiltinTemplates();
  const overdue = templates.filter((t) => t.key === 'overdue');
  let bytes = 0;

  // Product path: one renderer, compiled on first use (warm-up), then filled per message.
  const renderer = createRenderer({ templates, layout });
  await renderer.render('overdue', data(0));
  global.gc?.();
  const rssMbStart = mb();
  let t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) bytes += (await renderer.render('overdue', data(i))).html.length;
  const compiledSecs = secondsSince(t0);
  const rssMbEnd = mb();

  // Baseline: MJML compiled for every message.
  t0 = process.hrtime.bigint();
  for (let i = 0; i < N_COMPILE; i++) {
    const fresh = createRenderer({ templates: overdue, layout });
    bytes += (await fresh.render('overdue', data(i))).html.length;
  }
  const perMessageSecs = secondsSince(t0);

  const messagesPerSec = Math.round(N / compiledSecs);
  const compilePerMessagePerSec = Math.round((N_COMPILE / perMessageSecs) * 10) / 10;
  const metrics = {
    messagesPerSec,
    compilePerMessagePerSec,
    ratio: Math.round((messagesPerSec / compilePerMessagePerSec) * 10) / 10,
    rssMbStart,
    rssMbEnd,
    n: N,
    nCompilePerMessage: N_COMPILE,
    compilations: renderer.compilations,
    avgHtmlBytes: Math.round(bytes / (N + N_COMPILE)),
  };
  console.log(JSON.stringify({ bench: 'render', metrics }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
