import { templates } from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { getTemplate } from '../../src/services/templates';
import { createTestApp, type TestApp } from '../support/app';
import { browser } from '../support/http';
import { expectIsolation, PASSWORD, seedFirm, type Firm } from '../support/tenancy';

const BODY = ['<mj-text>', '  <p>Dear {{contactName}}, {{totalDue}} is open.</p>', '</mj-text>'].join('\n');

describe('settings: e-mail templates', () => {
  let t: TestApp;
  let a: Firm;
  let b: Firm;
  const EDITOR = '/settings/templates/overdue';

  beforeAll(async () => {
    t = await createTestApp({ now: () => new Date('2026-11-20T12:00:00Z') });
    a = await seedFirm(t.app, 'Tpl Alpha');
    b = await seedFirm(t.app, 'Tpl Beta');
  });
  afterAll(() => t.close());

  async function signedIn(email: string) {
    const u = browser(t.web);
    expect((await u.login(email, PASSWORD)).status).toBe(302);
    return u;
  }
  const scopeA = () => new OrgScope(t.app.db, a.id);

  it('lists the built-in templates and opens one with its variables and a preview', async () => {
    const clerk = await signedIn(a.users.clerk);
    const list = await clerk.agent.get('/settings/templates');
    expect(list.status).toBe(200);
    for (const key of ['friendly-reminder', 'due-today', 'overdue', 'final-notice'])
      expect(list.text).toContain(key);
    const page = await clerk.agent.get(EDITOR);
    expect(page.status).toBe(200);
    expect(page.text).toContain('{{invoiceTable}}');
    expect(page.text).toContain(`src="${EDITOR}/preview?customerId=${a.customerId}"`);
    const preview = await clerk.agent.get(`${EDITOR}/preview?customerId=${a.customerId}`);
    expect(preview.headers['content-security-policy']).toMatch(/^sandbox;/);
    expect(preview.text).toContain('Tpl Alpha Customer');
  });

  it('saves the firm version, which the preview then uses, and resets to the built-in', async () => {
    const clerk = await signedIn(a.users.clerk);
    const res = await clerk.postForm(EDITOR, { subject: 'Open balance: {{totalDue}}', body: BODY }, EDITOR);
    expect(res.status).toBe(302);
    const saved = await getTemplate(scopeA(), 'overdue');
    expect(saved).toMatchObject({ source: 'firm', version: 1, subject: 'Open balance: {{totalDue}}' });
    expect((await clerk.agent.get(EDITOR)).text).toContain('Saved as version 1');
    const preview = await clerk.agent.get(`${EDITOR}/preview?customerId=${a.customerId}`);
    expect(preview.text).toContain('Open balance: USD 1,200.00');
    // the other firm still has the built-in
    expect((await getTemplate(new OrgScope(t.app.db, b.id), 'overdue')).source).toBe('builtin');

    const reset = await clerk.postForm(`${EDITOR}/reset`, {}, EDITOR);
    expect(reset.status).toBe(302);
    expect((await getTemplate(scopeA(), 'overdue')).source).toBe('builtin');
  });

  it('shows a problem with its body line and saves nothing', async () => {
    const clerk = await signedIn(a.users.clerk);
    const body = BODY.replace('{{totalDue}}', '{{nope}}');
    const res = await clerk.postForm(EDITOR, { subject: 'Hello', body }, EDITOR);
    expect(res.status).toBe(400);
    expect(res.text).toContain('body line 2: unknown variable {{nope}}');
    expect(res.text).toMatch(/<li value="2" class="bad-line">/);
    expect(res.text).toContain('{{nope}}'); // the typed body is kept
    expect(await scopeA().select(templates)).toHaveLength(0);
    const empty = await clerk.postForm(EDITOR, { subject: '', body: BODY }, EDITOR);
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('subject: the subject is empty');
  });

  it('previews unsaved values, and says what is wrong instead of rendering a bad template', async () => {
    const clerk = await signedIn(a.users.clerk);
    const ok = await clerk.postForm(
      `${EDITOR}/preview`,
      { subject: 'Draft {{customerName}}', body: BODY, previewCustomer: a.customerId },
      EDITOR,
    );
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('Draft Tpl Alpha Customer');
    const bad = await clerk.postForm(
      `${EDITOR}/preview`,
      { subject: 'Draft', body: '<mj-text>{{{raw}}}</mj-text>', previewCustomer: a.customerId },
      EDITOR,
    );
    expect(bad.text).toContain('Cannot preview: body line 1');
    expect(await scopeA().select(templates)).toHaveLength(0);
  });

  it('lets a viewer read templates but not change them (403)', async () => {
    const viewer = await signedIn(a.users.viewer);
    expect((await viewer.agent.get(EDITOR)).text).toContain('<fieldset disabled>');
    for (const path of [EDITOR, `${EDITOR}/reset`, `${EDITOR}/preview`]) {
      const res = await viewer.postForm(path, { subject: 'x', body: BODY }, EDITOR);
      expect({ path, status: res.status }).toEqual({ path, status: 403 });
    }
    expect(await scopeA().select(templates)).toHaveLength(0);
  });

  it("previews only the firm's own customers", async () => {
    await expectIsolation(t.web, a, b, { pages: [(f) => `${EDITOR}/preview?customerId=${f.customerId}`] });
    const clerk = await signedIn(a.users.clerk);
    expect((await clerk.agent.get('/settings/templates/no-such-key')).status).toBe(404);
  });
});
