/**
 * Render throughput: messages from templates compiled once (the product path) versus compiling
 * MJML for every message; then render + hand to a local SMTP sink (smtp-server in its own
 * process on loopback, on the last CPU) through the product's pooled SMTP transport, with this
 * process and all its threads pinned to CPU 0 (`taskset`) so the figure is one core's. Target:
 * ≥ 500 messages/s rendered and handed over, flat memory. Prints one final JSON line:
 *   {"bench":"render","metrics":{"messagesPerSec","compilePerMessagePerSec","ratio","smtpMessagesPerSec",…}}
 * Sizes: N, N_COMPILE, N_SMTP.
 */
import { spawn } from 'node:child_process';
import readline from 'node:readline';
import { SMTPServer } from 'smtp-server';
import { lastCpu, pinToCpu } from './support/cpu';
import { createRenderer, loadBuiltinTemplates, type EmailData } from '../src/email';
import { smtpTransport } from '../src/mail/transport';

const N = Number(process.env.N ?? 5000);
const N_COMPILE = Number(process.env.N_COMPILE ?? 200);
const N_SMTP = Number(process.env.N_SMTP ?? 3000);
/** Pooled SMTP connections (SMTP_URL's `maxConnections`, as a deployment would set it for its relay). */
const SMTP_CONNECTIONS = Number(process.env.SMTP_CONNECTIONS ?? 10);
/** Messages handed to the transport at once. */
const IN_FLIGHT = 2 * SMTP_CONNECTIONS;

/** The sink: accepts every message and drops it; prints its port. */
async function sink(): Promise<void> {
  let received = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    disableReverseLookup: true,
    onData(stream, _session, callback) {
      stream.on('end', () => {
        received++;
        callback();
      });
      stream.resume();
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as { port: number };
  process.stdout.write(JSON.stringify({ port }) + '\n');
  process.on('SIGTERM', () => {
    process.stderr.write(`render bench sink: ${received} messages received\n`);
    server.close(() => process.exit(0));
  });
}

/** Render and send N_SMTP messages through the product's SMTP transport to the sink. */
async function renderAndSend(renderer: ReturnType<typeof createRenderer>) {
  const child = spawn(process.execPath, [__filename, '--sink'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const pinnedCpu = pinToCpu(process.pid, 0);
  if (pinnedCpu !== null) pinToCpu(child.pid!, lastCpu());
  try {
    const line = await new Promise<string>((resolve, reject) => {
      readline.createInterface({ input: child.stdout! }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`sink exited with ${code}`)));
    });
    const { port } = JSON.parse(line) as { port: number };
    const transport = smtpTransport(`smtp://127.0.0.1:${port}?maxConnections=${SMTP_CONNECTIONS}`);
    const sendOne = async (i: number) => {
      const m = await renderer.render('overdue', data(i));
      const r = await transport.send({
        from: 'Northwind AR <ar@northwind.test>',
        to: `ap${i}@customer.test`,
        replyTo: 'ar@northwind.test',
        subject: m.subject,
        text: m.text,
        html: m.html,
        headers: { 'List-Unsubscribe': `<https://app.duely.test/u/${i.toString(36)}>` },
        messageId: `<bench-${i}@duely.test>`,
      });
      if (!r.ok) throw new Error(`send ${i} failed: ${JSON.stringify(r)}`);
    };
    for (let i = 0; i < 50; i++) await sendOne(i); // warm-up: pool connections open
    global.gc?.();
    const rssStart = mb();
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    let next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < N_SMTP) await sendOne(next++);
      }),
    );
    const secs = secondsSince(t0);
    const cpu = process.cpuUsage(cpu0);
    transport.close();
    return {
      smtpMessagesPerSec: Math.round(N_SMTP / secs),
      smtpCpuCores: Math.round(((cpu.user + cpu.system) / 1e6 / secs) * 100) / 100,
      smtpCpuMsPerMessage: Math.round(((cpu.user + cpu.system) / 1e3 / N_SMTP) * 1000) / 1000,
      smtpPinnedCpu: pinnedCpu,
      smtpRssMbStart: rssStart,
      smtpRssMbEnd: mb(),
      nSmtp: N_SMTP,
      smtpConnections: SMTP_CONNECTIONS,
    };
  } finally {
    child.kill('SIGTERM');
  }
}

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

  const smtp = await renderAndSend(renderer);

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
    ...smtp,
    targetMessagesPerSec: 500,
  };
  console.log(JSON.stringify({ bench: 'render', metrics }));
}

(process.argv.includes('--sink') ? sink() : main()).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
