import request from 'supertest';
import {
  customers,
  disputes,
  invoices,
  messages,
  promiseInvoices,
  promises,
  tasks,
} from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { createTestApp, type TestApp } from '../support/app';
import { browser } from '../support/http';
import { PASSWORD, seedFirm, type Firm } from '../support/tenancy';

describe('dashboard page', () => {
  let t: TestApp;
  let a: Firm;
  let b: Firm;
  beforeAll(async () => {
    t = await createTestApp({ now: () => new Date('2026-11-20T12:00:00Z') });
    a = await seedFirm(t.app, 'Gamma Goods'); // INV-1 1200.00 USD due 2026-10-31: 20 days past
    b = await seedFirm(t.app, 'Delta Dairy');
    const scope = new OrgScope(t.app.db, a.id);
    const [tricky] = await scope
      .insert(customers, {
        connectionId: a.connectionId,
        externalId: '2',
        name: '=HYPERLINK("http://x","y"), Ltd',
      })
      .returning({ id: customers.id });
    const base = { connectionId: a.connectionId, status: 'open' as const, platformStatus: 'x' };
    await scope.insert(invoices, [
      {
        ...base,
        customerId: tricky!.id,
        externalId: 'a2',
        currency: 'USD',
        issueDate: '2026-11-01',
        dueDate: '2026-12-01',
        total: '345.67',
        balance: '345.67',
      },
      {
        ...base,
        customerId: a.customerId,
        externalId: 'a3',
        currency: 'EUR',
        issueDate: '2026-11-01',
        dueDate: '2026-11-05',
        total: '80',
        balance: '80',
      },
    ]);
    await new OrgScope(t.app.db, b.id).insert(invoices, {
      ...base,
      connectionId: b.connectionId,
      customerId: b.customerId,
      externalId: 'b2',
      currency: 'USD',
      issueDate: '2026-11-01',
      dueDate: '2026-11-02',
      total: '77777.00',
      balance: '77777.00',
    });
  });
  afterAll(() => t.close());

  async function signedIn(email: string) {
    const user = browser(t.web);
    expect((await user.login(email, PASSWORD)).status).toBe(302);
    return user;
  }

  it('sends a visitor who is not signed in to the login page', async () => {
    const res = await request(t.web).get('/dashboard');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/login?next=%2Fdashboard');
    expect((await request(t.web).get('/dashboard/aging.csv')).status).toBe(302);
  });

  it('shows a viewer the total AR, the aging buckets in a table and the chart data', async () => {
    const viewer = await signedIn(a.users.viewer);
    const res = await viewer.agent.get('/dashboard');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<a href="/dashboard" aria-current="page">Dashboard</a>');
    expect(res.text).toMatch(/data-testid="total-ar">1545.67</);
    const foot = /<tfoot>([\s\S]*?)<\/tfoot>/.exec(res.text)![1]!;
    expect([...foot.matchAll(/<td>([^<]*)<\/td>/g)].map((m) => m[1])).toEqual([
      '345.67',
      '1200.00',
      '0.00',
      '0.00',
      '0.00',
      '1545.67',
    ]);
    expect(res.text).toContain('Open balances in EUR (not converted)');
    expect(res.text).toContain('=HYPERLINK(&#34;http://x&#34;,&#34;y&#34;), Ltd');
    const json = /<script type="application\/json" id="dashboard-data">([\s\S]*?)<\/script>/.exec(
      res.text,
    )![1]!;
    const data = JSON.parse(json);
    expect(data.aging).toEqual({
      labels: ['current', '1-30', '31-60', '61-90', '90+'],
      values: [345.67, 1200, 0, 0, 0],
    });
    expect(data.trend.labels).toEqual(['2026-06', '2026-07', '2026-08', '2026-09', '2026-10', '2026-11']);
    expect(res.text).toContain('<canvas id="aging-chart"');
    expect(res.text).toMatch(/Expected cash, next four weeks/);
    // 345.67 falls due on 2026-12-01: week 2 (2026-11-27 … 2026-12-03)
    expect(res.text).toMatch(/2026-11-27 – 2026-12-03<\/th><td>345.67<\/td>/);
  });

  it('loads its chart script from the app, never inline', async () => {
    const viewer = await signedIn(a.users.viewer);
    const res = await viewer.agent.get('/dashboard');
    const scripts = [...res.text.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, body] of scripts) {
      const external = /src="\/assets\//.test(attrs!) && body === '';
      const dataOnly = /type="application\/json"/.test(attrs!);
      expect({ attrs, ok: external || dataOnly }).toEqual({ attrs, ok: true });
    }
    expect(res.headers['content-security-policy']).toMatch(/script-src 'self'/);
    for (const src of ['/assets/dashboard.js', '/assets/vendor/chart.js/chart.umd.js']) {
      const asset = await request(t.web).get(src);
      expect({ src, status: asset.status }).toEqual({ src, status: 200 });
      expect(asset.headers['content-type']).toMatch(/javascript/);
    }
  });

  it('exports the aging table as CSV, quoting commas and defusing formulas', async () => {
    const clerk = await signedIn(a.users.clerk);
    const res = await clerk.agent.get('/dashboard/aging.csv');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toBe('attachment; filename=aging-2026-11-20.csv');
    expect(res.text.split('\r\n')).toEqual([
      'Customer,Customer id,Currency,current,1-30,31-60,61-90,90+,Total',
      `Gamma Goods Customer,${a.customerId},USD,0.00,1200.00,0.00,0.00,0.00,1200.00`,
      expect.stringMatching(
        /^"'=HYPERLINK\(""http:\/\/x"",""y""\), Ltd",[0-9a-f-]{36},USD,345.67,0.00,0.00,0.00,0.00,345.67$/,
      ),
      'Total,,USD,345.67,1200.00,0.00,0.00,0.00,1545.67',
      `Gamma Goods Customer,${a.customerId},EUR,0.00,80.00,0.00,0.00,0.00,80.00`,
      'Total,,EUR,0.00,80.00,0.00,0.00,0.00,80.00',
      '',
    ]);
  });

  it('shows each firm only its own figures', async () => {
    const clerk = await signedIn(a.users.clerk);
    const page = await clerk.agent.get('/dashboard');
    const csv = await clerk.agent.get('/dashboard/aging.csv');
    for (const text of [page.text, csv.text]) {
      expect(text).not.toContain('Delta Dairy');
      expect(text).not.toContain('77777');
      expect(text).not.toContain(b.customerId);
    }
    const other = await signedIn(b.users.viewer);
    const theirs = await other.agent.get('/dashboard');
    expect(theirs.text).toMatch(/data-testid="total-ar">78977.00</);
    expect(theirs.text).not.toContain('Gamma Goods');
  });

  it('shows dispute SLA attainment, e-mails and calls per week, and promised cash, each with a CSV', async () => {
    const scope = new OrgScope(t.app.db, a.id);
    const at = (iso: string) => new Date(iso);
    // SLA: one answered in time, one late, one still waiting past its deadline, one not yet due
    const d = {
      customerId: a.customerId,
      kind: 'dispute' as const,
      category: 'pricing',
      source: 'portal' as const,
    };
    await scope.insert(disputes, [
      {
        ...d,
        reference: 'D-1',
        firstResponseDueAt: at('2026-11-02T17:00:00Z'),
        firstResponseAt: at('2026-11-02T10:00:00Z'),
      },
      {
        ...d,
        reference: 'D-2',
        firstResponseDueAt: at('2026-11-03T17:00:00Z'),
        firstResponseAt: at('2026-11-04T10:00:00Z'),
      },
      { ...d, reference: 'D-3', firstResponseDueAt: at('2026-11-18T17:00:00Z') },
      { ...d, reference: 'D-4', firstResponseDueAt: at('2026-11-21T17:00:00Z') },
    ]);
    // weekly: two e-mails sent in the week of Monday 2026-11-16, one call done the week before
    const m = {
      customerId: a.customerId,
      invoiceIds: [a.invoiceId],
      sequenceKey: 'standard',
      sequenceVersion: 1,
      channel: 'email' as const,
      status: 'sent' as const,
      live: true,
      sendAt: at('2026-11-17T09:00:00Z'),
      sentAt: at('2026-11-17T09:00:01Z'),
    };
    await scope.insert(messages, [
      { ...m, stepKey: 's1', idempotencyKey: 'dash-1' },
      { ...m, stepKey: 's2', idempotencyKey: 'dash-2' },
      // still queued: not counted as sent
      { ...m, stepKey: 's3', idempotencyKey: 'dash-3', status: 'queued', sentAt: null },
    ]);
    await scope.insert(tasks, {
      customerId: a.customerId,
      kind: 'call',
      title: 'Call',
      dueDate: '2026-11-10',
      status: 'done',
      outcome: 'reached',
      idempotencyKey: 'dash-call',
      completedAt: at('2026-11-11T15:00:00Z'),
    });
    // an active promise of 1000.00 on INV-1 for 2026-11-25 (paid nothing since)
    const [p] = await scope
      .insert(promises, {
        customerId: a.customerId,
        amount: '1000.00',
        currency: 'USD',
        promisedDate: '2026-11-25',
        graceDays: 3,
        source: 'portal',
      })
      .returning({ id: promises.id });
    await t.app.db.insert(promiseInvoices).values({
      promiseId: p!.id,
      invoiceId: a.invoiceId,
      organizationId: a.id,
      balanceAtPromise: '1200.00',
    });

    const viewer = await signedIn(a.users.viewer);
    const page = await viewer.agent.get('/dashboard');
    expect(page.status).toBe(200);
    // met 1, breached 2 (late + waiting past the deadline); the one not yet due is not judged
    expect(page.text).toMatch(/data-testid="dispute-sla">33.3 %</);
    expect(page.text).toContain('1 answered in time, 2 late in the period');
    expect(page.text).toMatch(/<strong>1<\/strong> waiting past the deadline now/);
    const weekly = await viewer.agent.get('/dashboard/activity.csv');
    expect(weekly.text).toContain('2026-11-16,2,0\r\n');
    expect(weekly.text).toContain('2026-11-09,0,1\r\n');
    expect(weekly.text.split('\r\n')[0]).toBe('Week of,E-mails sent,Calls made');
    const cash = await viewer.agent.get('/dashboard/cash.csv');
    expect(cash.text.split('\r\n')[1]).toBe('2026-11-20,2026-11-26,USD,0.00,1000.00,1000.00');
    const trend = await viewer.agent.get('/dashboard/trend.csv');
    expect(trend.status).toBe(200);
    expect(trend.text.split('\r\n')).toHaveLength(8); // header, six months, final line end
    // the other firm sees none of it
    const other = await signedIn(b.users.viewer);
    const theirs = await other.agent.get('/dashboard/activity.csv');
    expect(theirs.text).not.toContain(',2,');
  });
});
