import { eq } from 'drizzle-orm';
import request from 'supertest';
import { invoices, organizations } from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { createTestApp, type TestApp } from '../support/app';
import { seedFirm, type Firm } from '../support/tenancy';

// 12:00 UTC on 20 November is already 01:00 on 21 November in Auckland
const NOW = new Date('2026-11-20T12:00:00Z');

describe('API v1 counts overdue from the firm’s own date', () => {
  let t: TestApp;
  let auckland: Firm;
  let london: Firm;
  beforeAll(async () => {
    t = await createTestApp({ now: () => NOW });
    auckland = await seedFirm(t.app, 'Kiwi Kitchens');
    london = await seedFirm(t.app, 'Thames Traders');
    await t.app.db
      .update(organizations)
      .set({ timezone: 'Pacific/Auckland' })
      .where(eq(organizations.id, auckland.id));
    await t.app.db
      .update(organizations)
      .set({ timezone: 'Europe/London' })
      .where(eq(organizations.id, london.id));
    for (const firm of [auckland, london]) {
      // the seeded invoice is not part of this: settle it
      await new OrgScope(t.app.db, firm.id).update(invoices, { balance: '0', status: 'paid' });
      await new OrgScope(t.app.db, firm.id).insert(invoices, {
        connectionId: firm.connectionId,
        externalId: 'due-20-nov',
        customerId: firm.customerId,
        number: 'INV-20NOV',
        currency: 'NZD',
        issueDate: '2026-10-21',
        dueDate: '2026-11-20',
        total: '250.00',
        balance: '250.00',
        status: 'open',
        platformStatus: 'Open',
      });
    }
  });
  afterAll(() => t.close());

  const get = (firm: Firm, path: string) =>
    request(t.web).get(path).set('Authorization', `Bearer ${firm.token}`);

  it('an invoice due yesterday in the firm’s zone is one day overdue, though it is still its due date in UTC', async () => {
    const list = await get(auckland, '/api/v1/invoices');
    const inv = list.body.data.find((i: { number: string }) => i.number === 'INV-20NOV');
    expect(inv).toMatchObject({ daysOverdue: 1, agingBucket: '1-30' });
    const one = await get(auckland, `/api/v1/invoices/${inv.id}`);
    expect(one.body).toMatchObject({ daysOverdue: 1, agingBucket: '1-30' });

    const customers = await get(auckland, '/api/v1/customers');
    expect(customers.body.data).toEqual([
      expect.objectContaining({ currency: 'NZD', balance: '250.00', overdueBalance: '250.00' }),
    ]);
    const customer = await get(auckland, `/api/v1/customers/${auckland.customerId}`);
    expect(customer.body).toMatchObject({ overdueBalance: '250.00' });
  });

  it('the same invoice in a firm still on 20 November is due today, not overdue', async () => {
    const list = await get(london, '/api/v1/invoices');
    expect(list.body.data.find((i: { number: string }) => i.number === 'INV-20NOV')).toMatchObject({
      daysOverdue: 0,
      agingBucket: 'current',
    });
    const customers = await get(london, '/api/v1/customers');
    expect(customers.body.data).toEqual([expect.objectContaining({ overdueBalance: '0.00' })]);
  });
});
