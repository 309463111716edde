/**
 * Standalone QuickBooks emulator process (benchmarks run it apart so Duely's RSS is measured alone):
 *   node dist/connectors/quickbooks/emulator/main.js --customers 20000 --invoices 100000 --port 0
 * Prints one JSON line {url, realmId, refreshToken, clientId, clientSecret, companyName} on stdout
 * and serves until SIGTERM/SIGINT.
 */
import { startQuickBooksEmulator } from './index';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : undefined;
  return v !== undefined && !v.startsWith('--') ? v : fallback;
}
const flag = (name: string) => process.argv.includes(`--${name}`);

function int(name: string, fallback: number): number {
  const raw = arg(name, String(fallback));
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`--${name} must be a non-negative integer, got "${raw}"\n`);
    process.exit(2);
  }
  return n;
}

async function main() {
  const emulator = await startQuickBooksEmulator({
    port: int('port', 0),
    company: {
      seed: int('seed', 42),
      customers: int('customers', 200),
      invoices: int('invoices', 1000),
      asOf: arg('as-of', new Date().toISOString().slice(0, 10)),
      malformed: int('malformed', 0),
    },
    clientId: arg('client-id', 'duely-emulator-client'),
    clientSecret: arg('client-secret', 'duely-emulator-secret'),
    realmId: arg('realm-id', '9130350000000042'),
    webhookVerifierToken: arg('webhook-verifier-token', 'duely-emulator-verifier'),
    enforceLimits: !flag('no-limits'),
    controlEndpoints: flag('controls'),
  });
  process.stdout.write(
    JSON.stringify({
      url: emulator.url,
      realmId: emulator.realmId,
      refreshToken: emulator.issueRefreshToken(),
      clientId: emulator.clientId,
      clientSecret: emulator.clientSecret,
      companyName: emulator.companyName,
    }) + '\n',
  );
  const stop = () => {
    void emulator.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`quickbooks emulator: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
