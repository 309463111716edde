import { BUILTIN_EMAIL_TEMPLATES } from '../../src/domain/sequences/builtins';
import { createBuiltinRenderer, type Renderer, UnknownTemplateError } from '../../src/email';
import { emailData } from './fixtures';

let renderer: Renderer;
beforeAll(() => {
  renderer = createBuiltinRenderer();
});

describe('e-mail rendering', () => {
  it.each([...BUILTIN_EMAIL_TEMPLATES])(
    'renders %s with a subject, an HTML part and a text part',
    async (key) => {
      const out = await renderer.render(key, emailData({ promise: { date: '2026-06-10', amount: '500' } }));
      expect(out.subject.length).toBeGreaterThan(10);
      expect(out.subject).not.toMatch(/\{\{|\}\}|\n/);
      for (const part of [out.html, out.text]) {
        expect(part).not.toMatch(/\{\{|\[\[/);
        expect(part).toContain('Dana Lee');
        expect(part).toContain('Northwind Consulting');
        expect(part).toContain('https://app.duely.test/u/unsub456');
      }
      expect(out.html).toContain('href="https://app.duely.test/p/tok123?i=1&amp;j=2"');
      expect(out.text).toContain('https://app.duely.test/p/tok123?i=1&j=2');
      expect(out.html).toMatch(/^<!doctype html>/i);
    },
  );

  it('is specific: what is owed, invoice table, due date, days overdue, how to pay', async () => {
    const out = await renderer.render('overdue', emailData());
    expect(out.subject).toBe('Payment reminder: USD 35,200.50 overdue (invoices #1001 and #1002)');
    expect(out.text).toContain('USD 35,200.50');
    expect(out.text).toMatch(/#1001 +June 1, 2026 +14 +USD 1,200.50/);
    expect(out.text).toMatch(/#1002 +June 5, 2026 +10 +USD 34,000.00/);
    expect(out.text).toContain('Total due: USD 35,200.50');
    expect(out.text).toContain('Total due: USD 35,200.50\n\nIt may simply have slipped through.');
    expect(out.text).not.toMatch(/^[ \t]|\n[ \t]|\n\n\n/);
    expect(out.text).toContain('now 14 days overdue');
    expect(out.text).toContain('How to pay\nACH to Northwind Consulting LLC\nRouting 021000021');
    expect(out.html).toContain('ACH to Northwind Consulting LLC<br>Routing 021000021');
    expect(out.html).toContain(
      '<td align="right" style="padding:6px 8px"><strong>USD 35,200.50</strong></td>',
    );
    expect(out.text).toContain('Maria Alvarez\nAccounts receivable, Northwind Consulting');
    expect(out.text).toContain('write to ar@northwind.test');
    expect(out.html).toContain('href="mailto:ar@northwind.test"');
  });

  it('greets "there" when the contact has no name and leaves out absent payment instructions', async () => {
    const out = await renderer.render(
      'friendly-reminder',
      emailData({ contact: { name: null }, firm: { name: 'Northwind Consulting', branding: {} } }),
    );
    expect(out.text).toContain('Hello there,');
    expect(out.text).not.toContain('How to pay');
    expect(out.text).toContain('Questions? Reply to this e-mail.');
  });

  it('escapes HTML in customer and contact names, and keeps the subject on one line', async () => {
    const out = await renderer.render(
      'welcome',
      emailData({
        contact: { name: '<img src=x onerror=alert(1)>' },
        customer: { name: 'Tom & Jerry "<script>alert(1)</script>"' },
        invoices: [{ number: '7<b>', dueDate: '2026-07-01', balance: '10', currency: 'USD' }],
        firm: { name: 'Evil\r\nBcc: x@y.test', branding: {} },
      }),
    );
    expect(out.html).not.toContain('<script>');
    expect(out.html).not.toContain('<img src=x');
    expect(out.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(out.html).toContain('Tom &amp; Jerry &quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot;');
    expect(out.html).toContain('#7&lt;b&gt;');
    expect(out.subject).toBe('Welcome to Evil Bcc: x@y.test — how our invoicing works');
    expect(out.text).toContain('Hello <img src=x onerror=alert(1)>,');
  });

  it('totals several currencies separately and uses each currency’s minor units', async () => {
    const out = await renderer.render(
      'due-today',
      emailData({
        invoices: [
          { number: 'A', dueDate: '2026-06-15', balance: '150000', currency: 'JPY' },
          { number: 'B', dueDate: '2026-06-15', balance: '99.999', currency: 'USD' },
        ],
      }),
    );
    expect(out.subject).toBe('Due today: JPY 150,000 + USD 100.00 (invoices #A and #B)');
  });

  it('applies the firm’s colour and logo', async () => {
    const out = await renderer.render(
      'overdue',
      emailData({
        firm: { name: 'N', branding: { color: '#aa3300', logoUrl: 'https://cdn.test/logo.png' } },
      }),
    );
    expect(out.html).toContain('#aa3300');
    expect(out.html).toContain('src="https://cdn.test/logo.png"');
  });

  it('uses the firm-tone variant of a template when the step’s tone has one', async () => {
    const firm = await renderer.render('overdue', emailData(), { tone: 'firm' });
    const friendly = await renderer.render('overdue', emailData(), { tone: 'friendly' });
    expect(firm.templateKey).toBe('overdue.firm');
    expect(firm.subject).toMatch(/^Overdue: /);
    expect(firm.text).toContain('Please pay by June 22, 2026');
    expect(friendly.templateKey).toBe('overdue');
  });

  it('says what happens next in a final notice only as the firm configured it', async () => {
    const plain = await renderer.render('final-notice', emailData());
    expect(plain.text).toContain('Please pay the full balance by June 22, 2026.');
    expect(plain.text).not.toMatch(/legal|collection agency|court/i);
    const configured = await renderer.render(
      'final-notice',
      emailData({
        firm: { name: 'N', branding: {}, nextSteps: 'After that date we will pause work on open projects.' },
        payByDate: '2026-06-30',
      }),
    );
    expect(configured.text).toContain('by June 30, 2026');
    expect(configured.text).toContain('After that date we will pause work on open projects.');
  });

  it('rejects an unknown template key and data with a non-http portal link', async () => {
    await expect(renderer.render('overdue-x', emailData())).rejects.toBeInstanceOf(UnknownTemplateError);
    await expect(renderer.render('overdue', emailData({ portalUrl: 'javascript:alert(1)' }))).rejects.toThrow(
      /portalUrl/,
    );
  });
});
