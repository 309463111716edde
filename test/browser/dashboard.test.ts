import type { Browser, Page, Request } from 'playwright-core';
import { customers, invoices } from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { launchChromium, screenshot, serveApp, type ServedApp } from '../support/browser';
import { PASSWORD, seedFirm, type Firm } from '../support/tenancy';

jest.setTimeout(180_000);

/**
 * Friday 2026-11-20 (firm zone UTC). Open invoices in every aging bucket, days past the due date:
 * current 500.00 (due in 5 days) + 20.00 (due today); 1-30: 100.00 (due yesterday) + 1,200.00
 * (seedFirm's INV-1, 20 days) + 50.00 (exactly 30 days); 31-60: 310.00 (31 days); 61-90:
 * 6,100.00 (80 days); 90+: 9,100.00 (91 days). Another firm's 77,777.00 must not show.
 */
const EXPECTED = {
  current: '520.00',
  '1-30': '1350.00',
  '31-60': '310.00',
  '61-90': '6100.00',
  '90+': '9100.00',
  total: '17380.00',
};

describe('browser: the dashboard draws its aging chart from the app’s own Chart.js', () => {
  let s: ServedApp;
  let chromium: Browser;
  let page: Page;
  let firm: Firm;
  const requests: Request[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    s = await serveApp({ now: () => new Date('2026-11-20T12:00:00Z') });
    firm = await seedFirm(s.app, 'Chart Firm');
    const other = await seedFirm(s.app, 'Other Chart Firm');
    const scope = new OrgScope(s.app.db, firm.id);
    const [second] = await scope
      .insert(customers, { connectionId: firm.connectionId, externalId: '2', name: 'Slow Payer Ltd' })
      .returning({ id: customers.id });
    const inv = (externalId: string, customerId: string, dueDate: string, amount: string) => ({
      connectionId: firm.connectionId,
      externalId,
      customerId,
      number: `C-${externalId}`,
      currency: 'USD',
      issueDate: '2026-06-01',
      dueDate,
      total: amount,
      balance: amount,
      status: 'open' as const,
      platformStatus: 'Open',
    });
    await scope.insert(invoices, [
      inv('c1', firm.customerId, '2026-11-25', '500.00'),
      inv('c2', firm.customerId, '2026-11-20', '20.00'),
      inv('c3', firm.customerId, '2026-11-19', '100.00'),
      inv('c4', second!.id, '2026-10-21', '50.00'),
      inv('c5', second!.id, '2026-10-20', '310.00'),
      inv('c6', second!.id, '2026-09-01', '6100.00'),
      inv('c7', second!.id, '2026-08-21', '9100.00'),
    ]);
    await new OrgScope(s.app.db, other.id).insert(invoices, {
      ...inv('o1', other.customerId, '2026-08-01', '77777.00'),
      connectionId: other.connectionId,
    });
    chromium = await launchChromium();
    page = await chromium.newPage({ viewport: { width: 1280, height: 1000 } });
    page.on('request', (r) => requests.push(r));
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(`${m.text()} ${m.location().url}`);
    });
  });
  afterAll(async () => {
    await chromium?.close();
    await s?.close();
  });

  it('signs in as a viewer and sees the aging chart drawn, with the same numbers in the table', async () => {
    await page.goto(`${s.baseUrl}/login?next=${encodeURIComponent('/dashboard')}`);
    await page.fill('#email', firm.users.viewer);
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL('**/dashboard'), page.click('button:has-text("Sign in")')]);
    await page.waitForLoadState('load');

    // Chart.js has a chart on the canvas and has painted it (non-blank pixels once animations end)
    await page.waitForFunction(
      `(() => {
        const canvas = document.getElementById('aging-chart');
        const chart = window.Chart && window.Chart.getChart(canvas);
        if (!chart || chart.animating) return false;
        const ctx = canvas.getContext('2d');
        const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
        let painted = 0;
        for (let i = 3; i < px.length; i += 4) if (px[i] !== 0) painted++;
        return painted > 1000;
      })()`,
      undefined,
      { timeout: 30_000 },
    );
    const drawn = (await page.evaluate(`(() => {
      const chart = window.Chart.getChart(document.getElementById('aging-chart'));
      const bars = chart.getDatasetMeta(0).data.map((b) => Math.round(b.base - b.y));
      return { type: chart.config.type, labels: chart.data.labels, values: chart.data.datasets[0].data, bars };
    })()`)) as { type: string; labels: string[]; values: number[]; bars: number[] };
    expect(drawn.type).toBe('bar');
    expect(drawn.labels).toEqual(['current', '1-30', '31-60', '61-90', '90+']);
    expect(drawn.values).toEqual([520, 1350, 310, 6100, 9100]);
    // the tallest bar is 90+, and every non-empty bucket has a visible bar
    expect(drawn.bars.indexOf(Math.max(...drawn.bars))).toBe(4);
    for (const h of drawn.bars) expect(h).toBeGreaterThan(0);
    await screenshot(page, 'dashboard-1-aging-chart');

    const foot = await page.$$eval('#aging-table tfoot td', (tds) => tds.map((td) => td.textContent));
    expect(foot).toEqual([
      EXPECTED.current,
      EXPECTED['1-30'],
      EXPECTED['31-60'],
      EXPECTED['61-90'],
      EXPECTED['90+'],
      EXPECTED.total,
    ]);
    await expect(page.textContent('[data-testid="total-ar"]')).resolves.toBe(EXPECTED.total);
    const slow = await page.$$eval('#aging-table tbody tr', (rows) =>
      rows
        .filter((r) => r.querySelector('th')?.textContent === 'Slow Payer Ltd')
        .map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)),
    );
    expect(slow).toEqual([['0.00', '50.00', '310.00', '6100.00', '9100.00', '15560.00']]);
    // the chart is described by the table's caption for screen readers
    await expect(page.getAttribute('#aging-chart', 'aria-describedby')).resolves.toBe('aging-table-caption');
    await expect(page.textContent('body')).resolves.not.toContain('77777');
    // the other charts are drawn too
    const others = await page.evaluate(
      `['trend-chart', 'weekly-chart'].map((id) => Boolean(window.Chart.getChart(document.getElementById(id))))`,
    );
    expect(others).toEqual([true, true]);
  });

  it('loaded everything from the app itself: no third-party origin, the chart library served by the app', async () => {
    const origin = new URL(s.baseUrl).origin;
    const urls = requests.map((r) => r.url());
    expect(urls.length).toBeGreaterThan(0);
    const foreign = urls.filter((u) => !u.startsWith('data:') && new URL(u).origin !== origin);
    expect(foreign).toEqual([]);
    const chartJs = requests.find(
      (r) => new URL(r.url()).pathname === '/assets/vendor/chart.js/chart.umd.js',
    );
    expect(chartJs).toBeDefined();
    const res = await chartJs!.response();
    expect(res!.status()).toBe(200);
    expect(res!.headers()['content-type']).toMatch(/javascript/);
    // no script error, no blocked or missing resource (the browser's own favicon probe aside)
    expect(pageErrors.filter((e) => !e.endsWith('/favicon.ico'))).toEqual([]);
  });
});
