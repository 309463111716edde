import { eq } from 'drizzle-orm';
import { auditLog, customers, invoices, organizations } from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { STANDARD } from '../../src/domain/sequences/builtins';
import { getSequence, importSequences, listSequences } from '../../src/services/sequences';
import { saveTemplate } from '../../src/services/templates';
import { createTestApp, type TestApp } from '../support/app';
import { browser } from '../support/http';
import { expectIsolation, PASSWORD, seedFirm, type Firm } from '../support/tenancy';

/** The editor's fields for a sequence, as the page posts them. */
function formOf(steps: typeof STANDARD.steps, name = 'Standard'): Record<string, string> {
  const form: Record<string, string> = { name, action: 'save' };
  steps.forEach((s, i) => {
    form[`steps[${i}][key]`] = s.key;
    form[`steps[${i}][offsetDays]`] = String(s.offsetDays);
    form[`steps[${i}][from]`] = s.from ?? 'due';
    form[`steps[${i}][channel]`] = s.channel;
    form[`steps[${i}][template]`] = s.template ?? '';
    form[`steps[${i}][tone]`] = s.tone ?? '';
    form[`steps[${i}][minBalance]`] = s.conditions?.minBalance ?? '';
    form[`steps[${i}][tags]`] = '';
    form[`steps[${i}][minDaysOverdue]`] = '';
    form[`steps[${i}][maxDaysOverdue]`] = '';
  });
  return form;
}

describe('settings: sequences editor with live preview', () => {
  let t: TestApp;
  let a: Firm;
  let b: Firm;
  const sys = { type: 'system' as const, id: null };
  const EDITOR = '/settings/sequences/standard';

  beforeAll(async () => {
    t = await createTestApp({ now: () => new Date('2026-11-20T12:00:00Z') });
    a = await seedFirm(t.app, 'Seq Alpha');
    b = await seedFirm(t.app, 'Seq Beta');
    const scope = new OrgScope(t.app.db, a.id);
    const [tricky] = await scope
      .insert(customers, {
        connectionId: a.connectionId,
        externalId: 'x1',
        name: '<b>Acme & "Sons"</b>',
        email: 'ap@acme.example',
      })
      .returning({ id: customers.id });
    a.extra.tricky = tricky!.id;
    await scope.insert(invoices, {
      connectionId: a.connectionId,
      externalId: 'x100',
      customerId: tricky!.id,
      number: 'A-77',
      currency: 'USD',
      issueDate: '2026-10-01',
      dueDate: '2026-10-20',
      total: '990.00',
      balance: '990.00',
      status: 'open',
      platformStatus: 'Open',
    });
    // a sequence only firm B has
    await importSequences(
      new OrgScope(t.app.db, b.id),
      { key: 'beta-only', name: 'Beta only', steps: STANDARD.steps },
      sys,
    );
    b.extra.seqKey = 'beta-only';
    a.extra.seqKey = 'standard';
  });
  afterAll(() => t.close());

  async function signedIn(email: string) {
    const u = browser(t.web);
    expect((await u.login(email, PASSWORD)).status).toBe(302);
    return u;
  }

  it('lists the sequences with the default marked and the tag rules', async () => {
    const clerk = await signedIn(a.users.clerk);
    const res = await clerk.agent.get('/settings/sequences');
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/Standard<\/a> <span class="status status-connected">default<\/span>/);
    for (const name of ['Gentle', 'Firm', 'Onboarding']) expect(res.text).toContain(name);
    expect(res.text).toContain('Save tag rules');
    expect(res.text).toContain('aria-current="page">Sequences');
  });

  it('saves an edited sequence as a new version and says so', async () => {
    const clerk = await signedIn(a.users.clerk);
    const steps = STANDARD.steps.map((s) => (s.key === 'overdue-3' ? { ...s, offsetDays: 4 } : s));
    const res = await clerk.postForm(EDITOR, formOf(steps), EDITOR);
    expect(res.status).toBe(302);
    const saved = await getSequence(new OrgScope(t.app.db, a.id), 'standard');
    expect(saved.version).toBe(2);
    expect(saved.definition.steps.find((s) => s.key === 'overdue-3')!.offsetDays).toBe(4);
    expect(saved.isDefault).toBe(true);
    const page = await clerk.agent.get(EDITOR);
    expect(page.text).toContain('Saved as version 2');
    // the same form again changes nothing
    await clerk.postForm(EDITOR, formOf(steps), EDITOR);
    expect((await getSequence(new OrgScope(t.app.db, a.id), 'standard')).version).toBe(2);
    const entries = await t.app.db.select().from(auditLog).where(eq(auditLog.organizationId, a.id));
    expect(entries.filter((e) => e.action === 'sequences.imported')).toHaveLength(1);
  });

  it('rejects an unknown template with the path of the bad field and saves nothing', async () => {
    const clerk = await signedIn(a.users.clerk);
    const before = await getSequence(new OrgScope(t.app.db, a.id), 'standard');
    const form = formOf(before.definition.steps);
    form['steps[1][template]'] = 'no-such-template';
    const res = await clerk.postForm(EDITOR, form, EDITOR);
    expect(res.status).toBe(400);
    expect(res.text).toContain('<code>steps[1].template</code>: unknown template &#34;no-such-template&#34;');
    expect(res.text).toMatch(/name="steps\[1\]\[template\]" aria-invalid="true"/);
    // the form keeps what was typed
    expect(res.text).toContain('no-such-template (unknown)');
    expect((await getSequence(new OrgScope(t.app.db, a.id), 'standard')).version).toBe(before.version);
  });

  it('rejects an offset that is not a number, and an inverted overdue window', async () => {
    const clerk = await signedIn(a.users.clerk);
    const before = await getSequence(new OrgScope(t.app.db, a.id), 'standard');
    const form = formOf(before.definition.steps);
    form['steps[0][offsetDays]'] = 'soon';
    const res = await clerk.postForm(EDITOR, form, EDITOR);
    expect(res.status).toBe(400);
    expect(res.text).toContain('steps[0].offsetDays');
    expect(res.text).toContain('&#34;soon&#34; is not a whole number of days');
    const form2 = formOf(before.definition.steps);
    form2['steps[2][minDaysOverdue]'] = '10';
    form2['steps[2][maxDaysOverdue]'] = '5';
    const res2 = await clerk.postForm(EDITOR, form2, EDITOR);
    expect(res2.status).toBe(400);
    expect(res2.text).toContain('steps[2].conditions.maxDaysOverdue');
    expect((await getSequence(new OrgScope(t.app.db, a.id), 'standard')).version).toBe(before.version);
  });

  it('adds, moves and removes rows without JavaScript, saving nothing until Save', async () => {
    const clerk = await signedIn(a.users.clerk);
    const before = await getSequence(new OrgScope(t.app.db, a.id), 'standard');
    const n = before.definition.steps.length;
    const added = await clerk.postForm(EDITOR, { ...formOf(before.definition.steps), action: 'add' }, EDITOR);
    expect(added.status).toBe(200);
    expect(added.text).toContain(`name="steps[${n}][key]"`);
    const moved = await clerk.postForm(
      EDITOR,
      { ...formOf(before.definition.steps), action: 'down:0' },
      EDITOR,
    );
    expect(moved.text).toMatch(/name="steps\[0\]\[key\]" value="due"/);
    expect(moved.text).toMatch(/name="steps\[1\]\[key\]" value="pre-due"/);
    const removed = await clerk.postForm(
      EDITOR,
      { ...formOf(before.definition.steps), action: 'remove:0' },
      EDITOR,
    );
    expect(removed.text).not.toContain('value="pre-due"');
    expect((await getSequence(new OrgScope(t.app.db, a.id), 'standard')).version).toBe(before.version);
  });

  it('creates a sequence from a built-in and maps a tag to it', async () => {
    const clerk = await signedIn(a.users.clerk);
    const res = await clerk.postForm(
      '/settings/sequences',
      { key: 'vip', name: 'VIP customers', from: 'gentle' },
      '/settings/sequences',
    );
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/settings/sequences/vip');
    const vip = await getSequence(new OrgScope(t.app.db, a.id), 'vip');
    expect(vip.definition.steps.map((s) => s.key)).toEqual(
      (await getSequence(new OrgScope(t.app.db, a.id), 'gentle')).definition.steps.map((s) => s.key),
    );
    const dup = await clerk.postForm(
      '/settings/sequences',
      { key: 'vip', name: 'Again', from: 'firm' },
      '/settings/sequences',
    );
    expect(dup.status).toBe(400);
    expect(dup.text).toContain('already exists');

    const tags = await clerk.postForm(
      '/settings/sequences/tags',
      {
        'rules[0][tag]': 'vip',
        'rules[0][sequenceKey]': 'vip',
        'rules[1][tag]': '',
        'rules[1][sequenceKey]': 'firm',
      },
      '/settings/sequences',
    );
    expect(tags.status).toBe(302);
    const [org] = await t.app.db.select().from(organizations).where(eq(organizations.id, a.id));
    expect(org!.settings.sequenceByTag).toEqual([{ tag: 'vip', sequenceKey: 'vip' }]);
    const list = await clerk.agent.get('/settings/sequences');
    expect(list.text).toContain('tag “vip”');

    const bad = await clerk.postForm(
      '/settings/sequences/tags',
      { 'rules[0][tag]': 'x', 'rules[0][sequenceKey]': 'beta-only' },
      '/settings/sequences',
    );
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('unknown sequence &#34;beta-only&#34;');
    const [after] = await t.app.db.select().from(organizations).where(eq(organizations.id, a.id));
    expect(after!.settings.sequenceByTag).toEqual([{ tag: 'vip', sequenceKey: 'vip' }]);
  });

  it('previews a step for a real customer, HTML-escaped, in a sandboxed document', async () => {
    const clerk = await signedIn(a.users.clerk);
    const page = await clerk.agent.get(EDITOR);
    expect(page.text).toContain('<iframe name="preview-frame"');
    expect(page.text).toContain('sandbox');
    const res = await clerk.agent.get(`${EDITOR}/preview?customerId=${a.extra.tricky}&step=overdue-3`);
    expect(res.status).toBe(200);
    expect(res.headers['content-security-policy']).toMatch(/^sandbox;/);
    expect(res.text).toContain('&lt;b&gt;Acme &amp; &quot;Sons&quot;&lt;/b&gt;');
    expect(res.text).not.toContain('<b>Acme');
    expect(res.text).toContain('#A-77');
    expect(res.text).toContain('USD 990.00');
    expect(res.text).toContain('To:</strong> ap@acme.example');
  });

  it('previews the unsaved values posted from the editor', async () => {
    const clerk = await signedIn(a.users.clerk);
    const seq = await getSequence(new OrgScope(t.app.db, a.id), 'standard');
    const form = formOf(seq.definition.steps);
    const idx = seq.definition.steps.findIndex((s) => s.key === 'overdue-3');
    const saved = await clerk.postForm(
      `${EDITOR}/preview`,
      { ...form, previewCustomer: a.extra.tricky!, previewStep: String(idx) },
      EDITOR,
    );
    expect(saved.status).toBe(200);
    form[`steps[${idx}][template]`] = 'final-notice';
    form[`steps[${idx}][tone]`] = 'final';
    const changed = await clerk.postForm(
      `${EDITOR}/preview`,
      { ...form, previewCustomer: a.extra.tricky!, previewStep: String(idx) },
      EDITOR,
    );
    expect(changed.status).toBe(200);
    const subject = (html: string) => /<span class="subject">([^<]*)</.exec(html)![1];
    expect(subject(changed.text)).not.toEqual(subject(saved.text));
    expect(subject(changed.text)).toMatch(/final/i);
    // a call step previews the task
    const call = seq.definition.steps.findIndex((s) => s.channel === 'call');
    const task = await clerk.postForm(
      `${EDITOR}/preview`,
      { ...form, previewCustomer: a.extra.tricky!, previewStep: String(call) },
      EDITOR,
    );
    expect(task.text).toContain('Call task</strong> for &lt;b&gt;Acme');
    expect((await getSequence(new OrgScope(t.app.db, a.id), 'standard')).version).toBe(seq.version);
  });

  it('lets a viewer read the editor and preview, but not change anything (403 on every POST)', async () => {
    const viewer = await signedIn(a.users.viewer);
    const page = await viewer.agent.get(EDITOR);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('Save as a new version');
    expect(page.text).toContain('<fieldset disabled>');
    expect((await viewer.agent.get(`${EDITOR}/preview?customerId=${a.customerId}`)).status).toBe(200);
    const before = await listSequences(new OrgScope(t.app.db, a.id));
    const seq = before.find((s) => s.key === 'standard')!;
    for (const [path, form] of [
      [EDITOR, formOf(seq.definition.steps, 'Viewer was here')],
      [`${EDITOR}/preview`, formOf(seq.definition.steps)],
      ['/settings/sequences', { key: 'viewer', name: 'Viewer', from: 'firm' }],
      ['/settings/sequences/tags', { 'rules[0][tag]': 'x', 'rules[0][sequenceKey]': 'firm' }],
    ] as const) {
      const res = await viewer.postForm(path, form, EDITOR);
      expect({ path, status: res.status }).toEqual({ path, status: 403 });
    }
    expect(await listSequences(new OrgScope(t.app.db, a.id))).toEqual(before);
  });

  it("keeps one firm out of another's sequences and customers", async () => {
    await expectIsolation(t.web, a, b, {
      pages: [
        (f) => `/settings/sequences/${f.extra.seqKey}`,
        (f) => `/settings/sequences/standard/preview?customerId=${f.customerId}`,
      ],
    });
    const clerk = await signedIn(a.users.clerk);
    const seq = await getSequence(new OrgScope(t.app.db, a.id), 'standard');
    const post = await clerk.postForm(
      '/settings/sequences/beta-only',
      formOf(seq.definition.steps, 'Hijack'),
      EDITOR,
    );
    expect(post.status).toBe(404);
    const other = await clerk.postForm(
      `${EDITOR}/preview`,
      { ...formOf(seq.definition.steps), previewCustomer: b.customerId, previewStep: '0' },
      EDITOR,
    );
    expect(other.status).toBe(404);
    expect(other.text).not.toContain('Seq Beta Customer');
    expect((await listSequences(new OrgScope(t.app.db, a.id))).some((s) => s.key === 'beta-only')).toBe(
      false,
    );
  });

  it("offers the firm's own e-mail templates in the editor and saves a step that uses one", async () => {
    const scopeA = new OrgScope(t.app.db, a.id);
    await saveTemplate(
      t.app,
      scopeA,
      'courtesy-nudge',
      {
        subject: 'A gentle nudge',
        body: '<mj-text><p>Dear {{contactName}}, {{totalDue}} is open.</p></mj-text>',
      },
      sys,
    );
    const clerk = await signedIn(a.users.clerk);
    const page = await clerk.agent.get(EDITOR);
    expect(page.text).toContain('<option value="courtesy-nudge"');
    const before = await getSequence(scopeA, 'standard');
    const form = formOf(before.definition.steps);
    form['steps[0][template]'] = 'courtesy-nudge';
    const res = await clerk.postForm(EDITOR, form, EDITOR);
    expect(res.status).toBe(302);
    const saved = await getSequence(scopeA, 'standard');
    expect(saved.definition.steps[0]!.template).toBe('courtesy-nudge');
    // another firm is not offered it
    const other = await signedIn(b.users.clerk);
    expect((await other.agent.get(EDITOR)).text).not.toContain('courtesy-nudge');
  });
});
