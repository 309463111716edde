/**
 * Standalone Xero emulator:
 *   node dist/connectors/xero/emulator/main.js --customers 20000 --invoices 100000 --port 0
 * prints one JSON line {url, tenantId, refreshToken, clientId, clientSecret} and serves until killed.
 * Xero's limits are enforced unless --no-limits; --controls serves /__emulator/* test controls.
 */
import { startXeroEmulator } from './index';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

async function main() {
  const clientId = arg('client-id', 'XERO-EMULATOR-CLIENT');
  const clientSecret = arg('client-secret', 'xero-emulator-secret');
  const emu = await startXeroEmulator({
    port: Number(arg('port', '0')),
    clientId,
    clientSecret,
    tenants: Number(arg('tenants', '1')),
    webhookKey: arg('webhook-key', 'emulator-webhook-key'),
    enforceLimits: !process.argv.includes('--no-limits'),
    controls: process.argv.includes('--controls'),
    limits: process.argv.includes('--minute-ms')
      ? { minuteMs: Number(arg('minute-ms', '60000')) }
      : undefined,
    company: {
      seed: Number(arg('seed', '42')),
      customers: Number(arg('customers', '200')),
      invoices: Number(arg('invoices', '1000')),
      asOf: arg('as-of', new Date().toISOString().slice(0, 10)),
      malformed: Number(arg('malformed', '0')),
    },
  });
  process.stdout.write(
    JSON.stringify({
      url: emu.url,
      tenantId: emu.tenantId,
      refreshToken: emu.issueRefreshToken(),
      clientId,
      clientSecret,
    }) + '\n',
  );
  const stop = () => {
    void emu.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`xero emulator: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
