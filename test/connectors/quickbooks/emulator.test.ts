import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createQuickBooksConnector } from '../../../connectors/quickbooks';
import { startQuickBooksEmulator, type QuickBooksEmulator } from '../../../connectors/quickbooks/emulator';
import { generateCompany, type GeneratorOptions } from '../../../connectors/shared/generator';
import type { AccountingConnector, SyncBatch } from '../../../connectors/types';
import { emulatorContext } from './emulatorContext';

const company: GeneratorOptions = {
  seed: 7,
  customers: 300,
  invoices: 2600,
  asOf: '2026-11-20',
  malformed: 2,
};
const CLIENT = { clientId: 'emu-client', clientSecret: 'emu-secret' };

let emulator: QuickBooksEmulator;
let connector: AccountingConnector;

beforeAll(async () => {
  emulator = await startQuickBooksEmulator({
    company,
    ...CLIENT,
    webhookVerifierToken: 'verifier-1',
    enforceLimits: true,
  });
  connector = createQuickBooksConnector({
    ...CLIENT,
    environment: 'sandbox',
    baseUrl: emulator.url,
    retry: { rateLimitWaitMs: 50, baseDelayMs: 5 },
  });
});
afterAll(() => emulator.close());

async function collect(it: AsyncIterable<SyncBatch>): Promise<SyncBatch[]> {
  const out: SyncBatch[] = [];
  for await (const b of it) out.push(b);
  return out;
}

const all = (batches: SyncBatch[]) => ({
  customers: batches.flatMap((b) => b.customers ?? []),
  invoices: batches.flatMap((b) => b.invoices ?? []),
  payments: batches.flatMap((b) => b.payments ?? []),
  creditNotes: batches.flatMap((b) => b.creditNotes ?? []),
  errors: batches.flatMap((b) => b.errors),
});

describe('QuickBooks connector against the emulator', () => {
  let lastCursor: unknown;

  it('full sync yields every generated record, reports the malformed ones, at the API-call floor with no 429', async () => {
    const gen = generateCompany(company);
    const ctx = emulatorContext(connector, emulator);
    emulator.resetStats();
    const batches = await collect(connector.sync(ctx, { mode: 'full', cursor: null }));
    const got = all(batches);
    expect(got.customers).toHaveLength(gen.customers.length);
    expect(got.invoices.length + got.errors.filter((e) => e.entity === 'invoices').length).toBe(
      gen.invoices.length,
    );
    const malformed = gen.invoices.filter((i) => i.malformed).map((i) => String(i.id));
    expect(got.errors.map((e) => e.externalId).sort()).toEqual([...new Set(malformed)].sort());
    expect(got.payments).toHaveLength(gen.payments.length);
    expect(got.creditNotes).toHaveLength(gen.creditNotes.length);
    // statuses and balances as generated
    const byId = new Map(got.invoices.map((i) => [i.externalId, i]));
    for (const g of gen.invoices.filter((i) => !i.malformed)) {
      const c = byId.get(String(g.id))!;
      expect([c.status, c.total, c.balance]).toEqual([
        g.status,
        g.status === 'voided' ? '0' : normal(g.total),
        normal(g.balance),
      ]);
    }
    const sub = gen.customers.find((c) => c.parentId !== null);
    if (sub)
      expect(got.customers.find((c) => c.externalId === String(sub.id))!.parentExternalId).toBe(
        String(sub.parentId),
      );
    // floor: 1 Term page + ceil-or-empty pages per entity
    const floor =
      1 +
      [gen.customers.length, gen.invoices.length, gen.payments.length, gen.creditNotes.length].reduce(
        (n, rows) => n + Math.floor(rows / 1000) + 1,
        0,
      );
    expect(ctx.stats.apiCalls).toBe(floor);
    expect(ctx.stats.rateLimited).toBe(0);
    expect(emulator.stats().rateLimited).toBe(0);
    lastCursor = batches.at(-1)!.cursor;
    expect(lastCursor).toMatchObject({ phase: 'incremental' });
  });

  it('incremental sync picks up edits, voids and deletions with one CDC call', async () => {
    const ctx = emulatorContext(connector, emulator);
    // the cursor starts a little before the full sync; wait out nothing: edits are newer
    emulator.editInvoice('10', { privateNote: 'Customer asked for a copy' });
    emulator.voidInvoice('11');
    emulator.deleteInvoice('12');
    const batches = await collect(connector.sync(ctx, { mode: 'incremental', cursor: lastCursor }));
    const got = all(batches);
    const changed = new Map(got.invoices.map((i) => [i.externalId, i.status]));
    expect(changed.get('11')).toBe('voided');
    expect(changed.get('12')).toBe('deleted');
    expect(changed.has('10')).toBe(true);
    expect(got.invoices.length).toBeLessThan(50);
    expect(ctx.stats.apiCalls).toBe(1);
    lastCursor = batches.at(-1)!.cursor;
  });

  it('reads a CDC window that hits the 1000-object cap by paged queries and loses nothing', async () => {
    const ids = emulator.editInvoices(1200);
    const ctx = emulatorContext(connector, emulator);
    const got = all(await collect(connector.sync(ctx, { mode: 'incremental', cursor: lastCursor })));
    const seen = new Set(got.invoices.map((i) => i.externalId));
    expect(ids.filter((id) => !seen.has(id))).toEqual([]);
    // 1 CDC + 2 query pages of invoices changed since the cursor
    expect(ctx.stats.apiCalls).toBe(3);
  });

  it('creates a payment once even when the write is retried with the same idempotency key', async () => {
    const ctx = emulatorContext(connector, emulator);
    const inv = generateCompany(company).invoices.find(
      (i) => i.status === 'open' && !i.malformed && i.id > 20,
    )!;
    const before = emulator.invoice(String(inv.id)) as { Balance: number; SyncToken: string };
    const paymentsBefore = emulator.counts().Payment;
    const req = {
      customerExternalId: String(inv.customerId),
      date: '2026-11-21',
      currency: 'USD',
      amount: '10.00',
      allocations: [{ invoiceExternalId: String(inv.id), amount: '10.00' }],
      reference: 'portal-1',
      accountRef: null,
      idempotencyKey: 'portal-payment-1',
    };
    // the first answer is lost on the way back: the connector retries the same write
    emulator.injectFault({ status: 502, method: 'POST', path: 'payment', afterHandling: true });
    const a = await connector.createPayment(ctx, req);
    const b = await connector.createPayment(ctx, req);
    expect(b.externalId).toBe(a.externalId);
    const after = emulator.invoice(String(inv.id)) as { Balance: number };
    expect(Math.round((before.Balance - after.Balance) * 100)).toBe(1000);
    expect(emulator.counts().Payment).toBe(paymentsBefore + 1);
    const other = await connector.createPayment(ctx, { ...req, idempotencyKey: 'portal-payment-2' });
    expect(other.externalId).not.toBe(a.externalId);
  });

  it('writes a note with the current SyncToken, retries a stale one, and never twice', async () => {
    const ctx = emulatorContext(connector, emulator);
    emulator.editInvoice('20', { privateNote: 'Firm: call Bob' });
    emulator.injectFault({
      status: 400,
      method: 'POST',
      path: 'invoice',
      body: {
        Fault: {
          Error: [{ Message: 'Stale Object Error', Detail: 'Stale Object Error', code: '5010' }],
          type: 'ValidationFault',
        },
      },
    });
    await connector.writeNote(ctx, {
      invoiceExternalId: '20',
      text: 'Reminder 1 sent',
      idempotencyKey: 'note-1',
    });
    await connector.writeNote(ctx, {
      invoiceExternalId: '20',
      text: 'Reminder 1 sent',
      idempotencyKey: 'note-1',
    });
    const note = (emulator.invoice('20') as { PrivateNote: string }).PrivateNote;
    expect(note.split('\n')).toEqual([
      'Firm: call Bob',
      expect.stringMatching(/^Duely \d{4}-\d{2}-\d{2} \[[0-9a-f]{10}\]: Reminder 1 sent$/),
    ]);
  });

  it('refreshes once on a 401 and carries on; a revoked grant needs reconnecting', async () => {
    const ctx = emulatorContext(connector, emulator);
    await connector.fetchCompanyName(ctx);
    emulator.expireAccessTokens();
    await expect(connector.fetchCompanyName(ctx)).resolves.toBe(emulator.companyName);
    expect(ctx.refreshes).toBe(2);
    emulator.revokeAll();
    await expect(connector.fetchCompanyName(ctx)).rejects.toMatchObject({ kind: 'needs_reconnect' });
  });

  it('fetches the records a webhook names, in one query per entity, deleted ones as deleted', async () => {
    const ctx = emulatorContext(connector, emulator);
    emulator.editInvoice('40', { privateNote: 'changed for the webhook' });
    emulator.deleteInvoice('41');
    const refs = [
      { entity: 'invoices' as const, externalId: '40' },
      { entity: 'invoices' as const, externalId: '41' },
      { entity: 'customers' as const, externalId: '1' },
    ];
    const got = all(await collect(connector.fetchRecords(ctx, refs)));
    expect(got.invoices.map((i) => [i.externalId, i.status === 'deleted'])).toEqual([
      ['40', false],
      ['41', true],
    ]);
    expect(got.customers.map((c) => c.externalId)).toEqual(['1']);
    expect(got.customers[0]!.terms?.dueDays).toEqual(expect.any(Number));
    // Term (for customers' due days) + one query per entity
    expect(ctx.stats.apiCalls).toBe(3);
  });

  it('serves a valid PDF of an invoice', async () => {
    const ctx = emulatorContext(connector, emulator);
    const pdf = await connector.getInvoicePdf(ctx, '30');
    expect(pdf.subarray(0, 8).toString('latin1')).toBe('%PDF-1.4');
    expect(pdf.toString('latin1')).toMatch(/startxref\n\d+\n%%EOF\n$/);
  });
});

describe('QuickBooks emulator OAuth and webhooks', () => {
  it('runs the authorization-code flow with state and realmId, then rotates refresh tokens', async () => {
    const url = connector.oauth.authorizationUrl({
      state: 'st-9',
      redirectUri: 'https://duely.test/cb',
      signIn: true,
    });
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const callback = new URL(res.headers.get('location')!);
    expect(callback.searchParams.get('state')).toBe('st-9');
    expect(callback.searchParams.get('realmId')).toBe(emulator.realmId);
    const ex = await connector.oauth.exchangeCode({
      callbackUrl: callback.toString(),
      redirectUri: 'https://duely.test/cb',
    });
    expect(ex.tenants).toEqual([{ externalTenantId: emulator.realmId, name: null }]);
    expect(ex.identity).toMatchObject({ email: 'owner@demo-firm.example', name: 'Demo Owner' });
    // the code is single use
    await expect(
      connector.oauth.exchangeCode({
        callbackUrl: callback.toString(),
        redirectUri: 'https://duely.test/cb',
      }),
    ).rejects.toMatchObject({
      kind: 'needs_reconnect',
    });
    const next = await connector.oauth.refresh(ex.tokens.refreshToken);
    expect(next.refreshToken).not.toBe(ex.tokens.refreshToken);
    await expect(connector.oauth.refresh(ex.tokens.refreshToken)).rejects.toMatchObject({
      kind: 'needs_reconnect',
    });
    await connector.oauth.revoke(next.refreshToken);
    await expect(connector.oauth.refresh(next.refreshToken)).rejects.toMatchObject({
      kind: 'needs_reconnect',
    });
  });

  it('delivers signed webhooks that the connector verifies and parses', async () => {
    const received: { sig: string | undefined; body: Buffer }[] = [];
    const sink = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({
          sig: req.headers['intuit-signature'] as string | undefined,
          body: Buffer.concat(chunks),
        });
        res.end();
      });
    });
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
    try {
      const port = (sink.address() as AddressInfo).port;
      const out = await emulator.deliverWebhook(`http://127.0.0.1:${port}/webhooks/quickbooks`, [
        { name: 'Invoice', id: '10', operation: 'Update' },
      ]);
      expect(out.status).toBe(200);
      const [{ sig, body }] = received as [{ sig: string | undefined; body: Buffer }];
      expect(connector.webhooks.verify(body, sig, 'verifier-1')).toBe(true);
      expect(connector.webhooks.verify(body, sig, 'other')).toBe(false);
      expect(connector.webhooks.parse(body)).toMatchObject([
        { externalTenantId: emulator.realmId, entity: 'invoices', externalId: '10', operation: 'update' },
      ]);
    } finally {
      await new Promise<void>((r) => sink.close(() => r()));
    }
  });
});

describe('QuickBooks emulator automatic webhooks', () => {
  it('notifies a webhook URL of changes, signed, batched', async () => {
    const bodies: Buffer[] = [];
    const sigs: (string | undefined)[] = [];
    const sink = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        bodies.push(Buffer.concat(chunks));
        sigs.push(req.headers['intuit-signature'] as string | undefined);
        res.end();
      });
    });
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
    const port = (sink.address() as AddressInfo).port;
    const emu = await startQuickBooksEmulator({
      company: { seed: 5, customers: 10, invoices: 30, asOf: '2026-11-20' },
      ...CLIENT,
      webhookVerifierToken: 'auto-verifier',
      webhookUrl: `http://127.0.0.1:${port}/webhooks/quickbooks`,
      webhookBatchMs: 20,
    });
    try {
      emu.voidInvoice('3');
      emu.deleteInvoice('4');
      await new Promise((r) => setTimeout(r, 200));
      expect(bodies).toHaveLength(1);
      expect(connector.webhooks.verify(bodies[0]!, sigs[0], 'auto-verifier')).toBe(true);
      expect(connector.webhooks.parse(bodies[0]!).map((e) => [e.entity, e.externalId, e.operation])).toEqual([
        ['invoices', '3', 'void'],
        ['invoices', '4', 'delete'],
      ]);
    } finally {
      await emu.close();
      await new Promise<void>((r) => sink.close(() => r()));
    }
  });
});

describe('QuickBooks rate limits through the emulator', () => {
  it('waits out 429s and finishes the sync', async () => {
    const small = await startQuickBooksEmulator({
      company: { seed: 3, customers: 50, invoices: 60, asOf: '2026-11-20' },
      ...CLIENT,
      enforceLimits: true,
      // a window long enough that the fourth call always falls inside it, however slow the machine
      limits: { perMinute: 3, windowMs: 4_000 },
    });
    try {
      const c = createQuickBooksConnector({
        ...CLIENT,
        environment: 'sandbox',
        baseUrl: small.url,
        retry: { rateLimitWaitMs: 1_500 },
      });
      const ctx = emulatorContext(c, small);
      const got = all(await collect(c.sync(ctx, { mode: 'full', cursor: null })));
      expect(got.invoices).toHaveLength(60);
      expect(ctx.stats.rateLimited).toBeGreaterThan(0);
      expect(small.stats().rateLimited).toBe(ctx.stats.rateLimited);
    } finally {
      await small.close();
    }
  });
});

function normal(m: string): string {
  return m.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
}
