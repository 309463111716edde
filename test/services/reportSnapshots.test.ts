import { and, eq } from 'drizzle-orm';
import { invoices, ledgerVersions, organizations, reportSnapshots } from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { agingReport } from '../../src/services/reports/aging';
import { metricsReport } from '../../src/services/reports/metrics';
import { cachedReport, ledgerVersion } from '../../src/services/reports/snapshots';
import { createTestApp, type TestApp } from '../support/app';
import { seedFirm, type Firm } from '../support/tenancy';

const NOW = new Date('2026-11-20T12:00:00Z');

describe('report snapshots', () => {
  let t: TestApp;
  let a: Firm;
  let b: Firm;
  let scope: OrgScope;
  beforeAll(async () => {
    t = await createTestApp();
    a = await seedFirm(t.app, 'Snap A');
    b = await seedFirm(t.app, 'Snap B');
    scope = new OrgScope(t.app.db, a.id);
  });
  afterAll(() => t.close());

  it('serves the stored figures while the ledger is unchanged, and recomputes after any change to it', async () => {
    const first = await agingReport(scope, { now: NOW });
    expect(first.total).toBe('1200.00');
    const [stored] = await t.app.db
      .select()
      .from(reportSnapshots)
      .where(and(eq(reportSnapshots.organizationId, a.id), eq(reportSnapshots.report, 'aging')));
    expect(stored?.asOf).toBe('2026-11-20');

    // a second read computes nothing: prove it by planting a marker in the stored row
    await t.app.db
      .update(reportSnapshots)
      .set({ data: { ...stored!.data, total: 'from-the-snapshot' } })
      .where(eq(reportSnapshots.organizationId, a.id));
    expect((await agingReport(scope, { now: NOW })).total).toBe('from-the-snapshot');

    // any write to the firm's invoices (here a plain UPDATE, as a portal payment would do) bumps the
    // ledger version, so the next read recomputes from the ledger
    await scope.update(invoices, { balance: '200.00' }, eq(invoices.id, a.invoiceId));
    const after = await agingReport(scope, { now: NOW });
    expect(after.total).toBe('200.00');
  });

  it("bumps only the changed firm's ledger version", async () => {
    const va = await ledgerVersion(t.app.db, a.id);
    const vb = await ledgerVersion(t.app.db, b.id);
    await scope.update(invoices, { balance: '100.00' }, eq(invoices.id, a.invoiceId));
    expect(await ledgerVersion(t.app.db, a.id)).toBe(va + 1);
    expect(await ledgerVersion(t.app.db, b.id)).toBe(vb);
  });

  it('never keeps figures computed while the ledger changed under them', async () => {
    // the change lands after the version was read but before the figures are stored
    let calls = 0;
    const compute = async () => {
      calls++;
      if (calls === 1) await scope.update(invoices, { balance: '50.00' }, eq(invoices.id, a.invoiceId));
      return { n: calls };
    };
    expect(await cachedReport(scope, 'race', '2026-11-20', compute)).toEqual({ n: 1 });
    // stored under the old version: the next read must not trust it
    expect(await cachedReport(scope, 'race', '2026-11-20', compute)).toEqual({ n: 2 });
    expect(await cachedReport(scope, 'race', '2026-11-20', compute)).toEqual({ n: 2 });
  });

  it('keeps the metrics of each period apart and each firm to its own snapshots', async () => {
    const m90 = await metricsReport(scope, { now: NOW });
    const m30 = await metricsReport(scope, { now: NOW, from: '2026-10-22', to: '2026-11-20' });
    expect(m90.from).not.toBe(m30.from);
    const bAging = await agingReport(new OrgScope(t.app.db, b.id), { now: NOW });
    expect(bAging.total).toBe('1200.00');
  });

  it('lets a firm be deleted with its ledger (the version trigger skips a firm being deleted)', async () => {
    const c = await seedFirm(t.app, 'Snap C');
    await agingReport(new OrgScope(t.app.db, c.id), { now: NOW });
    await t.app.db.delete(organizations).where(eq(organizations.id, c.id));
    const left = await t.app.db.select().from(ledgerVersions).where(eq(ledgerVersions.organizationId, c.id));
    expect(left).toEqual([]);
  });
});
