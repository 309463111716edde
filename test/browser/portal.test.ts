import { and, eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import {
  attachments,
  disputeInvoices,
  disputes,
  emails,
  organizations,
  promiseInvoices,
  promises,
} from '../../src/db/schema';
import { runForFirm } from '../../src/services/reminders/run';
import { launchChromium, screenshot, serveApp, type ServedApp } from '../support/browser';
import { addInvoice, skipReasons } from '../support/cases';
import { FILES } from '../support/files';
import { seedFirm, type Firm } from '../support/tenancy';

jest.setTimeout(240_000);

/**
 * A customer's whole walk through the portal in Chromium: the link comes out of a reminder e-mail
 * the product sent (outbox transport), then a promise on one invoice and a dispute with a PDF on
 * another, each with its confirmation page, the database state and the planner's reasons after.
 */
describe('browser: a customer from the reminder e-mail to a promise and a dispute', () => {
  let s: ServedApp;
  let chromium: Browser;
  let page: Page;
  let f: Firm;
  let inv2: string;
  let link: string;
  const origins = new Set<string>();

  beforeAll(async () => {
    s = await serveApp({ now: () => new Date('2026-11-20T15:00:00Z') });
    f = await seedFirm(s.app, 'Browser Portal Firm');
    inv2 = await addInvoice(s.app, f, { number: 'INV-2', balance: '300.00', dueDate: '2026-11-05' });
    await s.app.db.update(organizations).set({ automation: 'live' }).where(eq(organizations.id, f.id));
    // the reminder sweep's own path: plan, claim, render with a fresh portal link, deliver
    await runForFirm(s.app, f.slug, '2026-11-20');
    await s.app.queue.drain();
    chromium = await launchChromium();
    page = await chromium.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('request', (r) => {
      if (/^https?:/.test(r.url())) origins.add(new URL(r.url()).origin);
    });
  });
  afterAll(async () => {
    await chromium?.close();
    await s?.close();
  });

  it('the reminder e-mail carries a portal link to this app', async () => {
    const sent = await s.app.db.select().from(emails).where(eq(emails.organizationId, f.id));
    expect(sent.length).toBeGreaterThan(0);
    const reminder = sent.find((e) => e.text.includes('/p/'));
    expect(reminder).toBeDefined();
    expect(reminder).toMatchObject({
      toAddress: `ap@${f.slug}.example`,
      status: 'sent',
      transport: 'outbox',
    });
    link = new RegExp(`${s.baseUrl.replace(/[.:/]/g, '\\$&')}/p/[A-Za-z0-9_-]{43}`).exec(reminder!.text)![0];
    // the HTML part links to the same place
    expect(reminder!.html).toContain(`href="${link}"`);
  });

  it('opens the portal from the link and lists the open invoices', async () => {
    await page.goto(link);
    expect(new URL(page.url()).pathname).toBe('/portal');
    await expect(page.textContent('h1')).resolves.toBe('Open invoices');
    const rows = await page.$$eval('table.invoice-list tbody tr', (trs) =>
      trs.map((tr) => tr.querySelector('td')!.textContent!.trim()),
    );
    expect(rows.sort()).toEqual(['INV-1', 'INV-2']);
    await expect(page.textContent('[data-testid="total-USD"]')).resolves.toContain('1,500.00');
    // the token is not left in the address bar or in the page
    expect(page.url()).not.toContain('/p/');
    expect(await page.content()).not.toContain(link.slice(link.lastIndexOf('/') + 1));
    await screenshot(page, 'portal-1-invoices');
  });

  it('makes a promise to pay on INV-1 and sees the confirmation', async () => {
    const row = page.locator('table.invoice-list tbody tr', { hasText: 'INV-1' });
    await Promise.all([
      page.waitForURL('**/portal/promise?invoice=*'),
      row.locator('a:has-text("Promise")').click(),
    ]);
    await expect(page.inputValue('#promise-amount')).resolves.toBe('1200.00');
    expect(await page.isChecked(`input[name="invoiceIds"][value="${f.invoiceId}"]`)).toBe(true);
    expect(await page.isChecked(`input[name="invoiceIds"][value="${inv2}"]`)).toBe(false);

    // a date past the firm's maximum is refused with a clear message and nothing recorded
    await page.fill('#promise-date', '2027-06-01');
    await Promise.all([page.waitForNavigation(), page.click('button:has-text("Confirm my promise")')]);
    await expect(page.textContent('#promise-error')).resolves.toMatch(/\S/);
    expect(await page.getAttribute('#promise-date', 'aria-invalid')).toBe('true');
    expect(await s.app.db.select().from(promises).where(eq(promises.organizationId, f.id))).toEqual([]);
    await screenshot(page, 'portal-2-promise-error');

    await page.fill('#promise-amount', '1200.00');
    await page.fill('#promise-date', '2026-12-04');
    await page.fill('#promise-note', 'Paying after our month-end run.');
    await screenshot(page, 'portal-3-promise');
    await Promise.all([page.waitForNavigation(), page.click('button:has-text("Confirm my promise")')]);
    await expect(page.textContent('h1')).resolves.toContain('your promise is noted');
    const done = await page.textContent('section[role="status"]');
    expect(done).toContain('1,200.00');
    expect(done).toContain('INV-1');
    await screenshot(page, 'portal-4-promise-done');

    const [p] = await s.app.db.select().from(promises).where(eq(promises.organizationId, f.id));
    expect(Number(p!.amount)).toBe(1200);
    expect(p).toMatchObject({
      status: 'active',
      promisedDate: '2026-12-04',
      source: 'portal',
      customerId: f.customerId,
    });
    const linked = await s.app.db.select().from(promiseInvoices).where(eq(promiseInvoices.promiseId, p!.id));
    expect(linked.map((l) => l.invoiceId)).toEqual([f.invoiceId]);
    await s.app.queue.drain();
    const confirmation = await s.app.db
      .select()
      .from(emails)
      .where(and(eq(emails.organizationId, f.id), eq(emails.kind, 'promise.confirmation')));
    expect(confirmation).toHaveLength(1);
    expect(confirmation[0]!.toAddress).toBe(`ap@${f.slug}.example`);
  });

  it('raises a dispute on INV-2 with a PDF attached and sees its confirmation', async () => {
    await page.click('a[href="/portal"]');
    const row = page.locator('table.invoice-list tbody tr', { hasText: 'INV-2' });
    await Promise.all([
      page.waitForURL('**/portal/disputes/new?invoice=*'),
      row.locator('a:has-text("Dispute")').click(),
    ]);
    expect(await page.isChecked(`input[name="invoiceIds"][value="${inv2}"]`)).toBe(true);
    await page.selectOption('#case-topic', 'dispute:pricing');
    await page.fill('#case-message', 'The unit price on INV-2 is not the one we agreed.');
    await page.setInputFiles('#case-file', {
      name: 'agreed-prices.pdf',
      mimeType: 'application/pdf',
      buffer: FILES.pdf,
    });
    await screenshot(page, 'portal-5-dispute');
    await Promise.all([page.waitForNavigation(), page.click('button:has-text("Send")')]);

    const [d] = await s.app.db.select().from(disputes).where(eq(disputes.organizationId, f.id));
    expect(d).toMatchObject({ status: 'open', kind: 'dispute', category: 'pricing', source: 'portal' });
    expect(new URL(page.url()).pathname).toBe(`/portal/disputes/${d!.id}`);
    await expect(page.textContent('h1')).resolves.toBe(`Dispute ${d!.reference}`);
    await expect(page.textContent('p.notice[role="status"]')).resolves.toMatch(/\S/);
    await expect(page.textContent('.thread')).resolves.toContain('not the one we agreed');
    await expect(page.textContent('a[download]')).resolves.toContain('agreed-prices.pdf');
    await screenshot(page, 'portal-6-dispute-done');

    const onInvoices = await s.app.db
      .select()
      .from(disputeInvoices)
      .where(eq(disputeInvoices.disputeId, d!.id));
    expect(onInvoices.map((x) => x.invoiceId)).toEqual([inv2]);
    const files = await s.app.db
      .select()
      .from(attachments)
      .where(and(eq(attachments.organizationId, f.id), eq(attachments.disputeId, d!.id)));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatchObject({ filename: 'agreed-prices.pdf', size: FILES.pdf.length });

    // the attachment downloads back as the same bytes
    const href = await page.getAttribute('a[download]', 'href');
    const body = await page.evaluate(async (u) => {
      const r = await fetch(u!);
      return Array.from(new Uint8Array(await r.arrayBuffer()));
    }, href);
    expect(Buffer.from(body).equals(FILES.pdf)).toBe(true);
    await s.app.queue.drain();
    const ack = await s.app.db
      .select()
      .from(emails)
      .where(and(eq(emails.organizationId, f.id), eq(emails.kind, 'dispute.acknowledgement')));
    expect(ack).toHaveLength(1);
    expect(ack[0]!.text).toContain(d!.reference);
  });

  it('loaded nothing from a third party on the way (styles, scripts, images are the app’s own)', () => {
    expect([...origins]).toEqual([s.baseUrl]);
  });

  it('the planner now skips the promised and the disputed invoice, each with its reason', async () => {
    expect(await skipReasons(s.app, f, f.invoiceId, '2026-11-21')).toContain('promised');
    expect(await skipReasons(s.app, f, inv2, '2026-11-21')).toContain('disputed');
  });

  it('works at a phone width: no horizontal scrolling on the invoice list', async () => {
    const phone = await chromium.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
    try {
      // a page of its own (its own browser context) with the same portal session cookie
      await phone.context().addCookies(await page.context().cookies());
      await phone.goto(`${s.baseUrl}/portal`);
      await expect(phone.textContent('h1')).resolves.toBe('Open invoices');
      const widths = (await phone.evaluate(`({
        scroll: document.documentElement.scrollWidth,
        client: document.documentElement.clientWidth,
        table: document.querySelector('table.invoice-list').getBoundingClientRect().right,
        captionHeight: document.querySelector('table.invoice-list caption').getBoundingClientRect().height,
      })`)) as {
        scroll: number;
        client: number;
        table: number;
        captionHeight: number;
      };
      expect(widths.scroll).toBeLessThanOrEqual(widths.client);
      expect(widths.table).toBeLessThanOrEqual(widths.client);
      // "Balances as of …" on one line, not squeezed to a word per line
      expect(widths.captionHeight).toBeLessThan(48);
      // every action stays reachable
      for (const label of ['View', 'Pay', 'Promise', 'Dispute']) {
        const box = await phone.locator(`table.invoice-list a:has-text("${label}")`).first().boundingBox();
        expect(box).not.toBeNull();
        expect(box!.x + box!.width).toBeLessThanOrEqual(widths.client);
      }
      await screenshot(phone, 'portal-7-phone');
    } finally {
      await phone.close();
    }
  });
});
