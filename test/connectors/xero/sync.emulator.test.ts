import nock from 'nock';

import { createXeroConnector } from '../../../connectors/xero';
import { startXeroEmulator, type XeroEmulator } from '../../../connectors/xero/emulator';
import type { SyncBatch } from '../../../connectors/types';
import { collect, emulatorContext } from './helpers';

const clientId = 'CLIENT';
const clientSecret = 'SECRET';

describe('Xero connector against the emulator', () => {
  let emu: XeroEmulator;
  beforeAll(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
    emu = await startXeroEmulator({
      clientId,
      clientSecret,
      company: { seed: 7, customers: 40, invoices: 260, asOf: '2026-11-20', malformed: 2 },
    });
  });
  afterAll(async () => {
    await emu.close();
    nock.enableNetConnect();
  });

  const connector = () => createXeroConnector({ clientId, clientSecret, baseUrl: emu.url, pageSize: 100 });
  const count = (batches: SyncBatch[], k: 'customers' | 'invoices' | 'payments' | 'creditNotes') =>
    batches.reduce((n, b) => n + (b[k]?.length ?? 0), 0);

  it('runs a full sync page by page, skipping bills, keeping drafts marked, reporting malformed records', async () => {
    const c = connector();
    const ctx = emulatorContext(c, emu.issueRefreshToken(), emu.tenantId);
    const batches = await collect(c.sync(ctx, { mode: 'full', cursor: null }));
    const books = emu.books();
    expect(count(batches, 'customers')).toBe(40);
    const accrec = books.invoices.filter((i) => i.type === 'ACCREC');
    const errors = batches.flatMap((b) => b.errors);
    expect(errors.filter((e) => e.entity === 'invoices')).toHaveLength(2);
    expect(count(batches, 'invoices')).toBe(accrec.length - 2);
    const invoices = batches.flatMap((b) => b.invoices ?? []);
    expect(invoices.some((i) => i.status === 'draft')).toBe(true);
    expect(invoices.every((i) => !i.number?.startsWith('BILL-'))).toBe(true);
    expect(count(batches, 'payments')).toBeGreaterThan(0);
    expect(batches.at(-1)!.cursor).toMatchObject({ v: 1, pass: null });
    expect(ctx.stats.apiCalls).toBe(emu.callCount());
  });

  it('incremental sync returns only what changed since the last pass, including deletes and voids', async () => {
    const c = connector();
    const ctx = emulatorContext(c, emu.issueRefreshToken(), emu.tenantId);
    const full = await collect(c.sync(ctx, { mode: 'full', cursor: null }));
    const cursor = full.at(-1)!.cursor;
    const changed = emu.changeInvoices(3);
    const open = emu
      .books()
      .invoices.filter((i) => i.type === 'ACCREC' && i.status === 'AUTHORISED' && !i.malformed);
    emu.deleteInvoice(open[10]!.id);
    emu.voidInvoice(open[11]!.id);
    const before = ctx.stats.apiCalls;
    const inc = await collect(c.sync(ctx, { mode: 'incremental', cursor }));
    const invoices = inc.flatMap((b) => b.invoices ?? []);
    expect(new Set(invoices.map((i) => i.externalId))).toEqual(
      new Set([...changed, open[10]!.id, open[11]!.id]),
    );
    expect(invoices.find((i) => i.externalId === open[10]!.id)!.status).toBe('deleted');
    expect(invoices.find((i) => i.externalId === open[11]!.id)!.status).toBe('voided');
    expect(invoices.find((i) => i.externalId === changed[0])!.status).toBe('paid');
    // one page per collection: six calls
    expect(ctx.stats.apiCalls - before).toBe(6);
  });

  it('falls back to a full pass when asked for incremental without a cursor', async () => {
    const c = connector();
    const ctx = emulatorContext(c, emu.issueRefreshToken(), emu.tenantId);
    const batches = await collect(c.sync(ctx, { mode: 'incremental', cursor: null }));
    expect(count(batches, 'customers')).toBe(40);
  });

  it('resumes an interrupted full sync from the last written batch without refetching pages', async () => {
    const c = connector();
    const ctx = emulatorContext(c, emu.issueRefreshToken(), emu.tenantId);
    const reference = await collect(c.sync(ctx, { mode: 'full', cursor: null }));
    const totalCalls = ctx.stats.apiCalls;
    // crash after the 2nd invoice page was written
    const first: SyncBatch[] = [];
    const ctx2 = emulatorContext(c, emu.issueRefreshToken(), emu.tenantId);
    for await (const b of c.sync(ctx2, { mode: 'full', cursor: null })) {
      first.push(b);
      if (b.entity === 'invoices' && first.filter((x) => x.entity === 'invoices').length === 2) break;
    }
    const resumed = await collect(c.sync(ctx2, { mode: 'full', cursor: first.at(-1)!.cursor }));
    const ids = [...first, ...resumed].flatMap((b) => (b.invoices ?? []).map((i) => i.externalId));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(count(reference, 'invoices'));
    expect(ctx2.stats.apiCalls).toBe(totalCalls);
  });

  it('fetches webhook-named records by IDs, at most 50 per call, and reports ids Xero does not know', async () => {
    const c = connector();
    const ctx = emulatorContext(c, emu.issueRefreshToken(), emu.tenantId);
    const ids = emu
      .books()
      .invoices.filter((i) => i.type === 'ACCREC' && !i.malformed)
      .slice(0, 120)
      .map((i) => i.id);
    const refs = [
      ...ids.map((externalId) => ({ entity: 'invoices' as const, externalId })),
      { entity: 'invoices' as const, externalId: '00000000-0000-4000-a000-000000000000' },
      { entity: 'customers' as const, externalId: emu.books().contacts[0]!.id },
    ];
    const batches = await collect(c.fetchRecords(ctx, refs));
    expect(count(batches, 'invoices')).toBe(120);
    expect(count(batches, 'customers')).toBe(1);
    expect(batches.flatMap((b) => b.errors)).toEqual([
      { entity: 'invoices', externalId: '00000000-0000-4000-a000-000000000000', reason: 'not found in Xero' },
    ]);
    expect(ctx.stats.apiCalls).toBe(Math.ceil(121 / 50) + 1);
  });

  it('fetches the organisation name', async () => {
    const c = connector();
    const ctx = emulatorContext(c, emu.issueRefreshToken(), emu.tenantId);
    await expect(c.fetchCompanyName(ctx)).resolves.toBe(emu.companyName);
  });
});

// this file's nock must not outlive it (the next test file in this worker has its own)
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});
