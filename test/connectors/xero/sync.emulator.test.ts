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
});
