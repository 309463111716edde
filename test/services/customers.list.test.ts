import { eq } from 'drizzle-orm';
import { contacts, customers, disputes, invoices, organizations, promises } from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { riskScore } from '../../src/domain/customerRisk';
import { customerListQuery, listCustomers, type CustomerListRow } from '../../src/services/customers/list';
import { createTestApp, type TestApp } from '../support/app';
import { seedFirm, type Firm } from '../support/tenancy';

/** 2026-11-20 in the firm's zone (UTC): seedFirm's INV-1 (1200.00, due 10-31) is 20 days overdue. */
const NOW = new Date('2026-11-20T12:00:00Z');

describe('customers list: search, filters, sort, risk', () => {
  let t: TestApp;
  let f: Firm;
  let scope: OrgScope;
  const ids: Record<string, string> = {};

  async function customer(key: string, values: Partial<typeof customers.$inferInsert> & { name: string }) {
    const [row] = await scope
      .insert(customers, { connectionId: f.connectionId, externalId: key, ...values })
      .returning({ id: customers.id });
    ids[key] = row!.id;
    return row!.id;
  }
  async function invoice(customerId: string, ext: string, dueDate: string, balance: string) {
    await scope.insert(invoices, {
      connectionId: f.connectionId,
      externalId: ext,
      customerId,
      number: ext,
      currency: 'USD',
      issueDate: '2026-07-01',
      dueDate,
      total: balance,
      balance,
      status: 'open',
      platformStatus: 'Open',
    });
  }

  beforeAll(async () => {
    t = await createTestApp({ now: () => NOW });
    f = await seedFirm(t.app, 'Golf Gears');
    ids.seed = f.customerId;
    scope = new OrgScope(t.app.db, f.id);
    await t.app.db
      .update(organizations)
      .set({ settings: { sequenceByTag: [{ tag: 'wholesale', sequenceKey: 'firm' }] } })
      .where(eq(organizations.id, f.id));

    const alpha = await customer('alpha', { name: 'Alpha Anvils', tags: ['vip'] });
    await invoice(alpha, 'A-1', '2026-08-12', '500.00'); // 100 days overdue
    const bravo = await customer('bravo', { name: 'Bravo Bolts', sequenceKey: 'gentle' });
    await invoice(bravo, 'B-1', '2026-10-06', '300.00'); // 45 days
    await scope.insert(promises, {
      customerId: bravo,
      amount: '300.00',
      currency: 'USD',
      promisedDate: '2026-11-01',
      graceDays: 3,
      status: 'broken',
      source: 'clerk',
      resolvedAt: new Date('2026-11-05T00:00:00Z'),
    });
    const charlie = await customer('charlie', { name: 'charlie Chains', tags: ['wholesale'], pilot: true });
    await invoice(charlie, 'C-1', '2026-12-20', '1000.00'); // not due
    const delta = await customer('delta', { name: 'Delta Drills', email: 'AP@Delta.example' });
    await scope.insert(contacts, { customerId: delta, email: 'gone@delta.example', emailStatus: 'bounced' });
    const echo = await customer('echo', { name: 'Echo 100%_Co' });
    await invoice(echo, 'E-1', '2026-09-11', '50.00'); // 70 days
    for (const n of [1, 2])
      await scope.insert(disputes, {
        customerId: echo,
        reference: `D-${n}`,
        kind: 'dispute',
        category: 'pricing',
        source: 'clerk',
        firstResponseDueAt: NOW,
      });
    await customer('gone', { name: 'Alpha Gone', deletedAt: NOW });
    await scope.insert(contacts, { customerId: bravo, name: 'Pat Bravo', email: 'pat@bravo.example' });

    const other = await seedFirm(t.app, 'Alpha Other');
    await new OrgScope(t.app.db, other.id).insert(customers, {
      connectionId: other.connectionId,
      externalId: 'x',
      name: 'Alpha Elsewhere',
    });
  });
  afterAll(() => t.close());

  async function list(query: Record<string, string> = {}, pageSize?: number) {
    return listCustomers(scope, customerListQuery.parse(query), { now: NOW, pageSize });
  }
  const names = (rows: CustomerListRow[]) => rows.map((r) => r.name);
  const keyOf = (id: string) => Object.entries(ids).find(([, v]) => v === id)![0];
  const keys = (rows: CustomerListRow[]) => rows.map((r) => keyOf(r.id)).sort();

  it('lists the firm’s live customers only, largest balance first', async () => {
    const page = await list();
    expect(page.total).toBe(6);
    expect(names(page.rows)).toEqual([
      'Golf Gears Customer',
      'charlie Chains',
      'Alpha Anvils',
      'Bravo Bolts',
      'Echo 100%_Co',
      'Delta Drills',
    ]);
    expect(page.rows[0]).toMatchObject({ balance: '1200.00', overdueBalance: '1200.00', maxDaysOverdue: 20 });
  });

  it('searches names, customer and contact e-mails without case, wildcards taken literally', async () => {
    expect(keys((await list({ q: 'ALPHA' })).rows)).toEqual(['alpha']);
    expect(keys((await list({ q: 'ap@delta' })).rows)).toEqual(['delta']);
    expect(keys((await list({ q: 'pat@BRAVO' })).rows)).toEqual(['bravo']);
    expect(keys((await list({ q: '%' })).rows)).toEqual(['echo']);
    expect(keys((await list({ q: '_' })).rows)).toEqual(['echo']);
    expect((await list({ q: 'nobody-like-this' })).total).toBe(0);
  });

  it('filters on balance, days overdue, tag, pilot', async () => {
    expect(keys((await list({ balance: 'yes' })).rows)).toEqual([
      'alpha',
      'bravo',
      'charlie',
      'echo',
      'seed',
    ]);
    expect(keys((await list({ overdue: 'any' })).rows)).toEqual(['alpha', 'bravo', 'echo', 'seed']);
    expect(keys((await list({ overdue: '30' })).rows)).toEqual(['alpha', 'bravo', 'echo']);
    expect(keys((await list({ overdue: '60' })).rows)).toEqual(['alpha', 'echo']);
    expect(keys((await list({ overdue: '90' })).rows)).toEqual(['alpha']);
    expect(keys((await list({ tag: 'vip' })).rows)).toEqual(['alpha']);
    expect(keys((await list({ pilot: 'yes' })).rows)).toEqual(['charlie']);
    expect((await list({ pilot: 'no' })).total).toBe(5);
    expect(keys((await list({ overdue: 'any', tag: 'vip' })).rows)).toEqual(['alpha']);
  });

  it('filters on the effective sequence: by hand, by tag, the default', async () => {
    expect(keys((await list({ sequence: 'gentle' })).rows)).toEqual(['bravo']);
    expect(keys((await list({ sequence: 'firm' })).rows)).toEqual(['charlie']);
    expect(keys((await list({ via: 'tag' })).rows)).toEqual(['charlie']);
    expect(keys((await list({ via: 'manual' })).rows)).toEqual(['bravo']);
    expect(keys((await list({ sequence: 'standard', via: 'default' })).rows)).toEqual([
      'alpha',
      'delta',
      'echo',
      'seed',
    ]);
  });

  it('scores risk as documented and filters and sorts on it', async () => {
    const all = (await list({ sort: 'risk' })).rows;
    const by = Object.fromEntries(all.map((r) => [keyOf(r.id), r]));
    expect(Object.fromEntries(Object.entries(by).map(([k, r]) => [k, [r.risk, r.riskLevel]]))).toEqual({
      echo: [50, 'high'], // 70 days (30) + 2 disputes (20)
      alpha: [40, 'medium'], // 100 days
      bravo: [35, 'medium'], // 45 days (20) + a broken promise (15)
      seed: [10, 'low'], // 20 days
      delta: [10, 'low'], // a bounced contact
      charlie: [0, 'low'],
    });
    expect(keys(all.slice(0, 3))).toEqual(['alpha', 'bravo', 'echo']);
    expect(keyOf(all[0]!.id)).toBe('echo');
    for (const r of all)
      expect(r.risk).toBe(
        riskScore({
          maxDaysOverdue: r.maxDaysOverdue,
          brokenPromises: r.brokenPromises,
          openDisputes: r.openDisputes,
          bounced: r.bounced,
        }),
      );
    expect(keys((await list({ risk: 'high' })).rows)).toEqual(['echo']);
    expect(keys((await list({ risk: 'medium' })).rows)).toEqual(['alpha', 'bravo']);
    expect(keys((await list({ risk: 'low' })).rows)).toEqual(['charlie', 'delta', 'seed']);
  });

  it('sorts by name and by overdue balance, and pages', async () => {
    expect(names((await list({ sort: 'name' })).rows)).toEqual([
      'Alpha Anvils',
      'Bravo Bolts',
      'charlie Chains',
      'Delta Drills',
      'Echo 100%_Co',
      'Golf Gears Customer',
    ]);
    expect(keys((await list({ sort: 'overdue' })).rows.slice(0, 4))).toEqual([
      'alpha',
      'bravo',
      'echo',
      'seed',
    ]);
    expect(names((await list({ sort: 'overdue' })).rows.slice(0, 2))).toEqual([
      'Golf Gears Customer',
      'Alpha Anvils',
    ]);
    const p1 = await list({ sort: 'name' }, 4);
    const p2 = await list({ sort: 'name', page: '2' }, 4);
    const p3 = await list({ sort: 'name', page: '3' }, 4);
    expect([p1.pageCount, p1.rows.length, p2.rows.length, p3.rows.length, p3.total]).toEqual([2, 4, 2, 0, 6]);
    expect(names(p2.rows)).toEqual(['Echo 100%_Co', 'Golf Gears Customer']);
  });

  it('refuses filters it does not know', () => {
    expect(customerListQuery.safeParse({ overdue: '7' }).success).toBe(false);
    expect(customerListQuery.safeParse({ sort: 'drop table' }).success).toBe(false);
    expect(customerListQuery.safeParse({ page: '0' }).success).toBe(false);
    expect(customerListQuery.safeParse({ q: 'x'.repeat(201) }).success).toBe(false);
  });
});
