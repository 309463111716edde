import nock from 'nock';

import { createXeroConnector } from '../../../connectors/xero';
import { startXeroEmulator, type XeroEmulator } from '../../../connectors/xero/emulator';
import { collect, emulatorContext } from './helpers';

const LIMITS = { perMinute: 8, minuteMs: 800 };
const windowPassed = () => new Promise((r) => setTimeout(r, LIMITS.minuteMs + 100));

describe('Xero limits against the emulator enforcing them', () => {
  let emu: XeroEmulator;
  beforeAll(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
    emu = await startXeroEmulator({
      clientId: 'c',
      clientSecret: 's',
      enforceLimits: true,
      limits: LIMITS,
      company: { seed: 9, customers: 30, invoices: 120, asOf: '2026-11-20' },
    });
  });
  afterAll(async () => {
    await emu.close();
    nock.enableNetConnect();
  });
  beforeEach(async () => {
    emu.setDayRemaining(5000);
    await windowPassed(); // each test starts with the emulator's minute window empty
  });

  it('paces a sync to the minute limit and earns no 429', async () => {
    const c = createXeroConnector({
      clientId: 'c',
      clientSecret: 's',
      baseUrl: emu.url,
      pageSize: 20,
      limits: LIMITS,
    });
    const ctx = emulatorContext(c, emu.issueRefreshToken(), emu.tenantId);
    const before = emu.rateLimitedCount();
    const batches = await collect(c.sync(ctx, { mode: 'full', cursor: null }));
    expect(batches.length).toBeGreaterThan(LIMITS.perMinute);
    expect(emu.rateLimitedCount() - before).toBe(0);
    expect(ctx.stats.rateLimited).toBe(0);
  });

  it('keeps five calls in flight at most, so slow answers never earn a concurrency 429', async () => {
    const c = createXeroConnector({ clientId: 'c', clientSecret: 's', baseUrl: emu.url, limits: LIMITS });
    const ctx = emulatorContext(c, emu.issueRefreshToken(), emu.tenantId);
    await ctx.getAccessToken();
    emu.enforceLimits(false);
    emu.setLatency(80);
    try {
      const before = emu.rateLimitedCount();
      emu.enforceLimits(true);
      await Promise.all(Array.from({ length: 12 }, () => c.fetchCompanyName(ctx)));
      expect(emu.rateLimitedCount() - before).toBe(0);
    } finally {
      emu.setLatency(0);
    }
  });

  it('follows X-MinLimit-Remaining when Xero allows fewer calls than the connector expects', async () => {
    // this connector expects 60 a minute; Xero (another app on the tenant, say) leaves it 8
    const c = createXeroConnector({
      clientId: 'c',
      clientSecret: 's',
      baseUrl: emu.url,
      pageSize: 20,
      limits: { minuteMs: LIMITS.minuteMs, perMinute: 60 },
    });
    const ctx = emulatorContext(c, emu.issueRefreshToken(), emu.tenantId);
    const before = emu.rateLimitedCount();
    const batches = await collect(c.sync(ctx, { mode: 'full', cursor: null }));
    expect(batches.flatMap((b) => b.customers ?? [])).toHaveLength(30);
    expect(batches.length).toBeGreaterThan(LIMITS.perMinute);
    expect(emu.rateLimitedCount() - before).toBe(0);
  });

  it('postpones a sync when the day’s calls are nearly spent', async () => {
    const c = createXeroConnector({ clientId: 'c', clientSecret: 's', baseUrl: emu.url, limits: LIMITS });
    const ctx = emulatorContext(c, emu.issueRefreshToken(), emu.tenantId);
    emu.setDayRemaining(100);
    const err = await collect(c.sync(ctx, { mode: 'full', cursor: null })).catch((e: unknown) => e);
    expect(err).toMatchObject({
      kind: 'rate_limited',
      details: { code: 'day_limit', retryAfterMs: expect.any(Number) },
    });
    expect(ctx.stats.apiCalls).toBe(1);
  });

  it('postpones when Xero answers 429 for the day limit', async () => {
    const c = createXeroConnector({ clientId: 'c', clientSecret: 's', baseUrl: emu.url, limits: LIMITS });
    const ctx = emulatorContext(c, emu.issueRefreshToken(), emu.tenantId);
    emu.setDayRemaining(0);
    await expect(c.fetchCompanyName(ctx)).rejects.toMatchObject({
      kind: 'rate_limited',
      details: { code: 'day_limit', retryAfterMs: 3_600_000 },
    });
  });
});

// this file's nock must not outlive it (the next test file in this worker has its own)
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});
