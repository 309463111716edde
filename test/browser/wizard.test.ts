import { eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { createQuickBooksConnector } from '../../connectors/quickbooks';
import { startQuickBooksEmulator, type QuickBooksEmulator } from '../../connectors/quickbooks/emulator';
import { customers, organizations, users } from '../../src/db/schema';
import { launchChromium, screenshot, serveApp, type ServedApp } from '../support/browser';

jest.setTimeout(240_000);

describe('browser: the onboarding wizard from connect to go-live against the QuickBooks emulator', () => {
  let qb: QuickBooksEmulator;
  let s: ServedApp;
  let chromium: Browser;
  let page: Page;

  beforeAll(async () => {
    qb = await startQuickBooksEmulator({
      company: { seed: 11, customers: 12, invoices: 60, asOf: '2026-11-20' },
      clientId: 'qb-browser',
      clientSecret: 'qb-browser-secret',
    });
    s = await serveApp({
      now: () => new Date('2026-11-20T12:00:00Z'),
      connectors: [
        createQuickBooksConnector({
          clientId: 'qb-browser',
          clientSecret: 'qb-browser-secret',
          environment: 'sandbox',
          baseUrl: qb.url,
        }),
      ],
    });
    chromium = await launchChromium();
    page = await chromium.newPage({ viewport: { width: 1280, height: 900 } });
  });
  afterAll(async () => {
    await chromium?.close();
    await s?.close();
    await qb?.close();
  });

  const path = () => new URL(page.url()).pathname;

  it('signs up, connects, syncs, answers, brands, pilots, previews and goes live', async () => {
    await page.goto(`${s.baseUrl}/signup`);
    await page.fill('#firmName', 'Browser Wizard Firm');
    await page.fill('#email', 'owner@browser-wizard.test');
    await page.fill('#password', 'correct-horse-battery');
    await Promise.all([page.waitForURL('**/welcome/connect'), page.click('button:has-text("Create firm")')]);
    await expect(page.textContent('h2#step-heading')).resolves.toBe('Connect your books');
    await screenshot(page, 'wizard-1-connect');

    // the platform's consent screen (the emulator consents at once) and back into the wizard
    await page.click('button:has-text("Connect to QuickBooks")');
    await page.waitForURL(/\/welcome\/(first-sync|questionnaire)$/);
    if (path() === '/welcome/first-sync') {
      await screenshot(page, 'wizard-2-first-sync');
      // the progress box polls and reloads the page when the sync ends
      await page.waitForSelector('[data-testid="sync-result"]', { timeout: 120_000 });
      await expect(page.textContent('[data-testid="sync-result"]')).resolves.toMatch(/customers/);
      await screenshot(page, 'wizard-2-first-sync-done');
      await Promise.all([
        page.waitForURL('**/welcome/questionnaire'),
        page.click('a.button:has-text("Continue")'),
      ]);
    }

    await page.fill('#termsDays', '30');
    await page.check('input[name="whoChases"][value="clerk"]');
    await page.check('input[name="channels"][value="email"]');
    await page.check('input[name="channels"][value="phone"]');
    await page.check('input[name="firmness"][value="firm"]');
    await screenshot(page, 'wizard-3-questionnaire');
    await Promise.all([
      page.waitForURL('**/welcome/branding'),
      page.click('button:has-text("Save and continue")'),
    ]);
    await expect(page.textContent('.flash-success')).resolves.toContain('Your starting sequence is firm');

    await page.fill('#color', '#0a7d3b');
    await page.fill('#senderName', 'Browser Wizard AR');
    await page.fill('#replyTo', 'ar@browser-wizard.test');
    await page.fill('#paymentInstructions', 'Bank transfer to 12-34-56 12345678');
    await screenshot(page, 'wizard-4-branding');
    await Promise.all([
      page.waitForURL('**/welcome/pilot'),
      page.click('button:has-text("Save and continue")'),
    ]);

    const suggested = await page.$$eval('input[name="pilotCustomer"]:checked', (els) => els.length);
    expect(suggested).toBe(5);
    await screenshot(page, 'wizard-5-pilot');
    await Promise.all([
      page.waitForURL('**/welcome/preview'),
      page.click('button:has-text("Save pilot and continue")'),
    ]);

    const total = Number(await page.textContent('[data-testid="preview-total"]'));
    const live = Number(await page.textContent('[data-testid="preview-live"]'));
    expect(total).toBeGreaterThan(0);
    expect(live).toBeGreaterThan(0);
    await screenshot(page, 'wizard-6-preview');
    await Promise.all([
      page.waitForURL('**/welcome/go-live'),
      page.click('button:has-text("This looks right")'),
    ]);

    await screenshot(page, 'wizard-7-go-live');
    await page.check('input[name="confirm"]');
    await Promise.all([page.waitForURL(/\/welcome$/), page.click('button:has-text("Go live")')]);
    await expect(page.textContent('h1')).resolves.toContain('Duely is set up');
    await expect(page.textContent('.flash-success')).resolves.toContain('You are live');
    expect(await page.$$eval('.checklist li.done', (els) => els.length)).toBe(7);
    await screenshot(page, 'wizard-8-live');

    const [u] = await s.app.db.select().from(users).where(eq(users.email, 'owner@browser-wizard.test'));
    const [org] = await s.app.db
      .select()
      .from(organizations)
      .where(eq(organizations.name, 'Browser Wizard Firm'));
    expect(u).toBeDefined();
    expect(org!.automation).toBe('live');
    expect(org!.branding.color).toBe('#0a7d3b');
    const pilots = await s.app.db.select().from(customers).where(eq(customers.pilot, true));
    expect(pilots).toHaveLength(5);
  });
});
