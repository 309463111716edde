import { and, eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { customers, invoices, promiseInvoices, promises, tasks, users } from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { launchChromium, screenshot, serveApp, type ServedApp } from '../support/browser';
import { PASSWORD, seedFirm, type Firm } from '../support/tenancy';

jest.setTimeout(180_000);

/**
 * Tuesday 2026-11-03 in the firm's zone (UTC). seedFirm's INV-1 (USD 1,200.00) fell due on 10-31;
 * INV-2 (USD 800.00) is added here. The firm's promise policy allows dates up to 30 days ahead.
 */
describe('browser: a clerk logs a call in which the customer promises to pay', () => {
  let s: ServedApp;
  let chromium: Browser;
  let page: Page;
  let firm: Firm;
  let clerkId: string;
  const TASK_TITLE = 'Call Promise Firm Customer about INV-1';

  beforeAll(async () => {
    s = await serveApp({ now: () => new Date('2026-11-03T12:00:00Z') });
    firm = await seedFirm(s.app, 'Promise Firm');
    const scope = new OrgScope(s.app.db, firm.id);
    await scope.update(customers, { phone: '+1 555 0100' }, eq(customers.id, firm.customerId));
    const [inv2] = await scope
      .insert(invoices, {
        connectionId: firm.connectionId,
        externalId: '101',
        customerId: firm.customerId,
        number: 'INV-2',
        currency: 'USD',
        issueDate: '2026-10-05',
        dueDate: '2026-11-01',
        total: '800.00',
        balance: '800.00',
        status: 'open',
        platformStatus: 'Open',
      })
      .returning({ id: invoices.id });
    firm.extra.invoice2 = inv2!.id;
    const [clerk] = await s.app.db.select().from(users).where(eq(users.email, firm.users.clerk));
    clerkId = clerk!.id;
    const [task] = await scope
      .insert(tasks, {
        customerId: firm.customerId,
        invoiceIds: [firm.invoiceId],
        kind: 'call',
        title: TASK_TITLE,
        talkingPoints: [
          'Owed: invoice #INV-1, USD 1,200.00, due 2026-10-31 (3 days overdue)',
          'Ask for a date',
        ],
        dueDate: '2026-11-02',
        assigneeUserId: clerkId,
        idempotencyKey: 'browser-overdue-call',
      })
      .returning({ id: tasks.id });
    firm.extra.taskId = task!.id;
    chromium = await launchChromium();
    page = await chromium.newPage({ viewport: { width: 1280, height: 1000 } });
  });
  afterAll(async () => {
    await chromium?.close();
    await s?.close();
  });

  const scope = () => new OrgScope(s.app.db, firm.id);
  const taskRow = async () => (await scope().select(tasks, eq(tasks.id, firm.extra.taskId!)))[0]!;
  const promisesOf = () => scope().select(promises, eq(promises.customerId, firm.customerId));
  const card = () => page.locator('article.task', { hasText: TASK_TITLE });

  it('signs in and sees the overdue call among my tasks with its talking points', async () => {
    await page.goto(`${s.baseUrl}/login?next=${encodeURIComponent('/tasks')}`);
    await page.fill('#email', firm.users.clerk);
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL('**/tasks'), page.click('button:has-text("Sign in")')]);
    const overdue = page.locator('section[aria-labelledby="sec-overdue"]');
    await expect(overdue.locator('article.task', { hasText: TASK_TITLE }).count()).resolves.toBe(1);
    await expect(card().locator('.talking-points').textContent()).resolves.toContain('Ask for a date');
    await expect(card().locator('a[href^="tel:"]').getAttribute('href')).resolves.toBe('tel:+15550100');
    await screenshot(page, 'call-promise-1-my-tasks');
  });

  it('refuses a promise dated past the firm’s maximum: a clear message, the task still open, no promise', async () => {
    await card().locator('details.task-case summary', { hasText: 'Promise to pay' }).click();
    const form = card().locator('details.task-case', { hasText: 'Promise to pay' }).locator('form');
    await expect(form.locator('input[name="promiseAmount"]').inputValue()).resolves.toBe('1200.00');
    await form.locator('input[name="promiseDate"]').fill('2026-12-20');
    await Promise.all([
      page.waitForURL('**/tasks**'),
      form.locator('button:has-text("Record the promise")').click(),
    ]);
    const error = await page.textContent('.flash-error');
    expect(error).toContain('Nothing was changed');
    expect(error).toContain('no later than 2026-12-03');
    await screenshot(page, 'call-promise-2-refused');
    expect((await taskRow()).status).toBe('open');
    expect(await promisesOf()).toHaveLength(0);
  });

  it('records the promise from the task in one click: task done with its outcome, promise active', async () => {
    await card().locator('details.task-case summary', { hasText: 'Promise to pay' }).click();
    const form = card().locator('details.task-case', { hasText: 'Promise to pay' }).locator('form');
    await form.locator('input[name="promiseAmount"]').fill('1000.00');
    await form.locator('input[name="promiseDate"]').fill('2026-11-13');
    await form.locator('textarea[name="note"]').fill('Payment run on the 13th');
    await screenshot(page, 'call-promise-3-task-form');
    await Promise.all([
      page.waitForURL('**/tasks**'),
      form.locator('button:has-text("Record the promise")').click(),
    ]);
    await expect(page.textContent('.flash-success')).resolves.toContain('The promise to pay is recorded');
    await expect(card().count()).resolves.toBe(0);
    await screenshot(page, 'call-promise-4-task-done');

    const task = await taskRow();
    expect(task).toMatchObject({ status: 'done', outcome: 'promise', completedByUserId: clerkId });
    const [p] = await promisesOf();
    expect(p).toMatchObject({
      status: 'active',
      amount: '1000.0000',
      currency: 'USD',
      promisedDate: '2026-11-13',
      taskId: task.id,
      createdByUserId: clerkId,
    });
    const covered = await s.app.db.select().from(promiseInvoices).where(eq(promiseInvoices.promiseId, p!.id));
    expect(covered.map((c) => c.invoiceId)).toEqual([firm.invoiceId]);
  });

  it('shows the promise and the call on the customer page and its timeline', async () => {
    await page.goto(`${s.baseUrl}/customers/${firm.customerId}`);
    const row = page.locator('#promises-table tbody tr', { hasText: '2026-11-13' });
    await expect(row.textContent()).resolves.toMatch(/\$1,000\.00[\s\S]*2026-11-13[\s\S]*active/);
    const made = page.locator('#timeline-list li[data-kind="promise.made"]');
    await expect(made.count()).resolves.toBe(1);
    await expect(made.textContent()).resolves.toMatch(/Promise to pay \$1,000\.00 by 2026-11-13/);
    await expect(made.textContent()).resolves.toContain('INV-1');
    const call = page.locator('#timeline-list li[data-kind="task.done"]');
    await expect(call.textContent()).resolves.toContain('Call: promise to pay');
    await screenshot(page, 'call-promise-5-customer-page');
  });

  it('logs a second call from the customer page with the outcome "promise to pay" on INV-2', async () => {
    await page.click('#actions summary:has-text("Log a call")');
    await page.selectOption('#call-outcome', 'promise');
    // the promise fields appear for this outcome only
    await expect(page.isVisible('#call-amount')).resolves.toBe(true);
    await expect(page.isVisible('#call-dmessage')).resolves.toBe(false);
    await page.check(`#call-inv-${firm.extra.invoice2}`);
    await page.fill('#call-amount', '800.00');
    await page.fill('#call-date', '2026-11-20');
    await page.fill('#call-note', 'Spoke with AP; INV-2 in the run of the 20th');
    await screenshot(page, 'call-promise-6-log-call');
    await Promise.all([
      page.waitForURL(`**/customers/${firm.customerId}**`),
      page.click('#actions button:has-text("Log the call")'),
    ]);
    await expect(page.textContent('.flash-success')).resolves.toBeTruthy();
    const row = page.locator('#promises-table tbody tr', { hasText: '2026-11-20' });
    await expect(row.textContent()).resolves.toMatch(/\$800\.00[\s\S]*active/);
    const made = page.locator('#timeline-list li[data-kind="promise.made"]', { hasText: '2026-11-20' });
    await expect(made.textContent()).resolves.toMatch(/Promise to pay \$800\.00 by 2026-11-20[\s\S]*INV-2/);
    await screenshot(page, 'call-promise-7-customer-timeline');

    const active = await scope().select(
      promises,
      and(eq(promises.customerId, firm.customerId), eq(promises.promisedDate, '2026-11-20')),
    );
    expect(active).toHaveLength(1);
    expect(active[0]).toMatchObject({ status: 'active', amount: '800.0000', source: 'call' });
    const [logged] = await scope().select(tasks, eq(tasks.id, active[0]!.taskId!));
    expect(logged).toMatchObject({
      kind: 'call',
      status: 'done',
      outcome: 'promise',
      completedByUserId: clerkId,
    });
    expect(logged!.outcomeNote).toContain('INV-2 in the run of the 20th');
  });
});
