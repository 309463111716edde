import type { Browser, Page, Response } from 'playwright-core';
import { customers, invoices } from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { getSequence } from '../../src/services/sequences';
import { launchChromium, screenshot, serveApp, type ServedApp } from '../support/browser';
import { PASSWORD, seedFirm, type Firm } from '../support/tenancy';

jest.setTimeout(180_000);

describe('browser: editing a sequence with its live preview', () => {
  let s: ServedApp;
  let chromium: Browser;
  let page: Page;
  let firm: Firm;
  const EDITOR = '/settings/sequences/standard';

  beforeAll(async () => {
    s = await serveApp({ now: () => new Date('2026-11-20T12:00:00Z') });
    firm = await seedFirm(s.app, 'Editor Firm');
    const scope = new OrgScope(s.app.db, firm.id);
    const [c] = await scope
      .insert(customers, {
        connectionId: firm.connectionId,
        externalId: 'p1',
        name: 'Preview & Partners <Ltd>',
        email: 'ap@preview-partners.example',
      })
      .returning({ id: customers.id });
    await scope.insert(invoices, {
      connectionId: firm.connectionId,
      externalId: 'p100',
      customerId: c!.id,
      number: 'PP-9',
      currency: 'USD',
      issueDate: '2026-10-01',
      dueDate: '2026-11-01',
      total: '4321.00',
      balance: '4321.00',
      status: 'open',
      platformStatus: 'Open',
    });
    firm.extra.previewCustomer = c!.id;
    chromium = await launchChromium();
    page = await chromium.newPage({ viewport: { width: 1400, height: 1000 } });
  });
  afterAll(async () => {
    await chromium?.close();
    await s?.close();
  });

  const isPreview = (method: string) => (r: Response) =>
    new URL(r.url()).pathname.startsWith(`${EDITOR}/preview`) && r.request().method() === method;
  const subjectOf = (html: string) => /<span class="subject">([^<]*)</.exec(html)?.[1] ?? null;

  it('signs in, previews a step for a real customer, sees the preview follow the unsaved edits, saves a new version', async () => {
    await page.goto(`${s.baseUrl}/login?next=${encodeURIComponent(EDITOR)}`);
    await page.fill('#email', firm.users.clerk);
    await page.fill('#password', PASSWORD);
    const firstPreview = page.waitForResponse(isPreview('GET'));
    await Promise.all([page.waitForURL(`**${EDITOR}`), page.click('button:has-text("Sign in")')]);
    expect((await firstPreview).status()).toBe(200);
    await screenshot(page, 'sequence-1-editor');

    // choose the customer and the overdue-3 step: the preview posts the form into the frame
    const seq = await getSequence(new OrgScope(s.app.db, firm.id), 'standard');
    const idx = seq.definition.steps.findIndex((st) => st.key === 'overdue-3');
    let next = page.waitForResponse(isPreview('POST'));
    await page.selectOption('#preview-customer', firm.extra.previewCustomer!);
    await page.selectOption('#preview-step', String(idx));
    let html = await (await next).text();
    // the last of the refreshes shows the chosen step
    while (!html.includes('PP-9') || !html.includes('4,321.00')) {
      next = page.waitForResponse(isPreview('POST'));
      html = await (await next).text();
    }
    const before = subjectOf(html);
    expect(before).toBeTruthy();
    expect(html).toContain('Preview &amp; Partners &lt;Ltd&gt;');
    await screenshot(page, 'sequence-2-preview-overdue');

    // change the step's template: the preview follows without saving
    next = page.waitForResponse(isPreview('POST'));
    await page.selectOption(`select[name="steps[${idx}][template]"]`, 'final-notice');
    await page.selectOption(`select[name="steps[${idx}][tone]"]`, 'final');
    html = await (await next).text();
    while (subjectOf(html) === before) html = await (await page.waitForResponse(isPreview('POST'))).text();
    expect(subjectOf(html)).not.toBe(before);
    await page.frame({ name: 'preview-frame' })!.waitForLoadState('load');
    await screenshot(page, 'sequence-3-preview-final-notice');
    expect((await getSequence(new OrgScope(s.app.db, firm.id), 'standard')).version).toBe(seq.version);

    // add a step in the page (no round trip), fill it in, save
    const rows = await page.$$eval('li.step', (els) => els.length);
    await page.click('button[data-row-action="add"]');
    expect(await page.$$eval('li.step', (els) => els.length)).toBe(rows + 1);
    await page.fill(`input[name="steps[${rows}][key]"]`, 'call-45');
    await page.fill(`input[name="steps[${rows}][offsetDays]"]`, '45');
    await page.selectOption(`select[name="steps[${rows}][channel]"]`, 'call');
    await page.selectOption(`select[name="steps[${rows}][template]"]`, 'overdue-call');
    // move it up once, in the page
    await page.click(`li.step[data-index="${rows}"] button[data-row-action="up"]`);
    expect(await page.inputValue(`input[name="steps[${rows - 1}][key]"]`)).toBe('call-45');
    await screenshot(page, 'sequence-4-added-step');
    // the page is already at the editor's URL: wait for the save itself and the page it leads to
    const [saveResponse] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === EDITOR && r.request().method() === 'POST'),
      page.click('.form-actions button[name="action"][value="save"] >> nth=-1'),
    ]);
    expect(saveResponse.status()).toBe(302);
    await page.waitForLoadState('load');
    await expect(page.textContent('.flash-success')).resolves.toContain(
      `Saved as version ${seq.version + 1}`,
    );
    await screenshot(page, 'sequence-5-saved');

    const saved = await getSequence(new OrgScope(s.app.db, firm.id), 'standard');
    expect(saved.version).toBe(seq.version + 1);
    expect(saved.definition.steps[idx]).toMatchObject({
      key: 'overdue-3',
      template: 'final-notice',
      tone: 'final',
    });
    expect(saved.definition.steps.map((st) => st.key)).toContain('call-45');
    expect(saved.definition.steps[rows - 1]).toMatchObject({
      key: 'call-45',
      offsetDays: 45,
      channel: 'call',
    });
  });
});
