import { eq } from 'drizzle-orm';
import { invoices } from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { OpenInvoicesPages } from '../../src/web/routes/portal/openInvoicesPage';
import { createTestApp, type TestApp } from '../support/app';
import { portalLink, portalVisitor } from '../support/portal';
import { seedFirm, type Firm } from '../support/tenancy';

const DAY = 86_400_000;

/**
 * The open-invoice list is kept between requests while the customer's invoices are unchanged:
 * whatever changes in the books shows on the next request, and no customer ever gets another's.
 */
describe('portal open-invoice list', () => {
  let t: TestApp;
  let clock = new Date('2026-11-20T12:00:00Z');
  let a: Firm;
  let b: Firm;

  const numbers = (html: string) =>
    [...html.matchAll(/<a id="n\d+" href="\/portal\/invoices\/[0-9a-f-]+">([^<]+)<\/a>/g)].map((m) => m[1]);
  const visit = async (firm: Firm) =>
    portalVisitor(t.web, (await portalLink(t.app, firm.id, firm.customerId)).token);
  const setInvoice = (id: string, values: Partial<typeof invoices.$inferInsert>) =>
    t.app.db.update(invoices).set(values).where(eq(invoices.id, id));

  beforeAll(async () => {
    t = await createTestApp({ now: () => clock });
    a = await seedFirm(t.app, 'List Alpha'); // INV-1 1,200.00 USD due 2026-10-31
    b = await seedFirm(t.app, 'List Beta'); // the same number, customer id '1' in its books
    await setInvoice(b.invoiceId, { balance: '77.00' });
  });
  afterAll(() => t.close());

  it('shows each customer only their own list, page after page', async () => {
    const va = await visit(a);
    const vb = await visit(b);
    for (let i = 0; i < 3; i++) {
      const pa = (await va.get('/portal')).text;
      const pb = (await vb.get('/portal')).text;
      expect(pa).toContain(`/portal/invoices/${a.invoiceId}`);
      expect(pa).not.toContain(b.invoiceId);
      expect(pa).toMatch(/data-testid="total-USD">\$1,200\.00</);
      expect(pb).toContain(`/portal/invoices/${b.invoiceId}`);
      expect(pb).not.toContain(a.invoiceId);
      expect(pb).toMatch(/data-testid="total-USD">\$77\.00</);
    }
  });

  it('shows a changed balance, a paid invoice and a new invoice on the next request', async () => {
    const v = await visit(a);
    expect(numbers((await v.get('/portal')).text)).toEqual(['INV-1']);

    await setInvoice(a.invoiceId, { balance: '950.00' }); // a partial payment synced from the books
    let page = (await v.get('/portal')).text;
    expect(page).toMatch(/data-testid="total-USD">\$950\.00</);
    expect(page).toContain('$950.00</td>');

    const [added] = await new OrgScope(t.app.db, a.id)
      .insert(invoices, {
        connectionId: a.connectionId,
        customerId: a.customerId,
        externalId: '200',
        number: 'INV-9',
        currency: 'USD',
        issueDate: '2026-11-15',
        dueDate: '2026-12-15',
        total: '40.00',
        balance: '40.00',
        status: 'open',
        platformStatus: 'Open',
      })
      .returning({ id: invoices.id });
    page = (await v.get('/portal')).text;
    expect(numbers(page)).toEqual(['INV-1', 'INV-9']);
    expect(page).toMatch(/data-testid="total-USD">\$990\.00</);

    await setInvoice(a.invoiceId, { balance: '0', status: 'paid' });
    page = (await v.get('/portal')).text;
    expect(numbers(page)).toEqual(['INV-9']);
    expect(page).toMatch(/data-testid="total-USD">\$40\.00</);

    await setInvoice(added!.id, { balance: '0', status: 'paid' });
    page = (await v.get('/portal')).text;
    expect(numbers(page)).toEqual([]);
    expect(page).toContain('You have no open invoices with List Alpha');
    await setInvoice(a.invoiceId, { balance: '1200.00', status: 'open' });
  });

  it('counts days overdue to the firm’s new date the next day', async () => {
    const v = await visit(a);
    expect((await v.get('/portal')).text).toContain('20 days overdue');
    clock = new Date(clock.getTime() + DAY);
    expect((await v.get('/portal')).text).toContain('21 days overdue');
  });

  it('holds rendered lists up to its size, dropping the least recently used', async () => {
    const pages = new OpenInvoicesPages(2_000); // room for one list of one invoice (~600 bytes, counted twice)
    const payTarget = () => ({ href: '/portal/how-to-pay', external: false });
    const portalOf = (firm: Firm) => ({
      scope: new OrgScope(t.app.db, firm.id),
      organizationId: firm.id,
      customerId: firm.customerId,
      today: '2026-11-21',
    });
    const first = await pages.get(portalOf(a), false, payTarget);
    expect(await pages.get(portalOf(a), false, payTarget)).toBe(first);
    await pages.get(portalOf(b), false, payTarget);
    expect(pages.size.entries).toBe(1);
    expect(pages.size.bytes).toBeLessThanOrEqual(2_000);
    const again = await pages.get(portalOf(a), false, payTarget);
    expect(again).not.toBe(first); // dropped for b's list, read again
    expect(again.rows.toString()).toBe(first.rows.toString());
  });
});
