import { eq } from 'drizzle-orm';
import request from 'supertest';
import { emails, organizations, templates } from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { runForFirm } from '../../src/services/reminders/run';
import {
  firmRenderer,
  getTemplate,
  listTemplates,
  saveTemplate,
  TemplateInvalidError,
} from '../../src/services/templates';
import { createTestApp, type TestApp } from '../support/app';
import { seedFirm, type Firm } from '../support/tenancy';

const CLERK = { type: 'user' as const, id: null };

/** Seven lines: {{invoiceTotal}} (not a variable) sits on line 7 of the body. */
const BAD_BODY = [
  '<mj-text>',
  '  <p>Hello {{contactName}},</p>',
  '  <p>This is about {{invoiceSummary}}.</p>',
  '</mj-text>',
  '<mj-text>',
  '  <p>Thank you.</p>',
  '  <p>Total: {{invoiceTotal}}</p>',
  '</mj-text>',
].join('\n');

const OWN_BODY = [
  '<mj-text>',
  '  <p>Dear {{contactName}}, our records show {{totalDue}} open for {{invoiceSummary}}.</p>',
  '  {{invoiceTable}}',
  '</mj-text>',
  '<mj-button href="{{portalUrl}}">Settle now</mj-button>',
].join('\n');

describe('firm e-mail templates', () => {
  let t: TestApp;
  let a: Firm;
  let b: Firm;
  beforeAll(async () => {
    t = await createTestApp({ now: () => new Date('2026-11-03T18:00:00Z') });
    a = await seedFirm(t.app, 'Templates A');
    b = await seedFirm(t.app, 'Templates B');
  });
  afterAll(() => t.close());
  const scopeOf = (f: Firm) => new OrgScope(t.app.db, f.id);

  it('rejects an unknown variable with its body line and saves nothing', async () => {
    const err = await saveTemplate(
      t.app,
      scopeOf(a),
      'overdue',
      { subject: 'Reminder', body: BAD_BODY },
      CLERK,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TemplateInvalidError);
    expect((err as Error).message).toBe('body: line 7: unknown variable {{invoiceTotal}}');
    expect(await scopeOf(a).select(templates)).toEqual([]);
    expect((await getTemplate(scopeOf(a), 'overdue')).source).toBe('builtin');

    const subj = await saveTemplate(
      t.app,
      scopeOf(a),
      'overdue',
      { subject: 'Owed {{amount}}', body: OWN_BODY },
      CLERK,
    ).catch((e: unknown) => e as TemplateInvalidError);
    expect((subj as TemplateInvalidError).issues).toEqual([
      { field: 'subject', line: null, message: 'subject: unknown variable {{amount}}' },
    ]);
  });

  it('rejects MJML that does not compile, with the line, over the API', async () => {
    const res = await request(t.web)
      .put('/api/v1/templates/overdue')
      .set('Authorization', `Bearer ${a.token}`)
      .send({
        subject: 'Reminder',
        body: '<mj-text>\n  <p>Hi</p>\n</mj-text>\n<mj-carousel-of-doom>x</mj-carousel-of-doom>',
      });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_template');
    expect(res.body.error.message).toMatch(/^body: line 4: /);
    const unknown = await request(t.web)
      .put('/api/v1/templates/overdue')
      .set('Authorization', `Bearer ${a.token}`)
      .send({ subject: 'Reminder', body: BAD_BODY });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({
      message: 'body: line 7: unknown variable {{invoiceTotal}}',
      problems: [{ field: 'body', line: 7, message: 'unknown variable {{invoiceTotal}}' }],
    });
    expect(await scopeOf(a).select(templates)).toEqual([]);
  });

  it('an override is versioned, used for the next reminder, compiled once, and reset to the built-in', async () => {
    const put = (body: string) =>
      request(t.web)
        .put('/api/v1/templates/overdue')
        .set('Authorization', `Bearer ${a.token}`)
        .send({ subject: 'Open balance: {{totalDue}}', body });
    const created = await put(OWN_BODY);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ key: 'overdue', source: 'firm', version: 1, hasBuiltin: true });
    expect((await put(OWN_BODY)).body.version).toBe(1); // unchanged: same version
    const changed = await put(OWN_BODY.replace('Settle now', 'Pay now'));
    expect(changed.status).toBe(200);
    expect(changed.body.version).toBe(2);

    const list = await request(t.web).get('/api/v1/templates').set('Authorization', `Bearer ${a.token}`);
    expect(list.body.data.find((x: { key: string }) => x.key === 'overdue')).toMatchObject({
      source: 'firm',
      version: 2,
    });
    expect(list.body.data.find((x: { key: string }) => x.key === 'due-today')).toMatchObject({
      source: 'builtin',
    });
    // the other firm still has the built-in
    const other = await request(t.web)
      .get('/api/v1/templates/overdue')
      .set('Authorization', `Bearer ${b.token}`);
    expect(other.body).toMatchObject({ source: 'builtin', version: null });

    await t.app.db.update(organizations).set({ automation: 'live' }).where(eq(organizations.id, a.id));
    await runForFirm(t.app, a.slug, '2026-11-03');
    await t.app.queue.drain();
    const [email] = await t.app.db.select().from(emails).where(eq(emails.organizationId, a.id));
    expect(email!.subject).toBe('Open balance: USD 1,200.00');
    expect(email!.text).toContain('our records show USD 1,200.00 open for invoice #INV-1');
    expect(email!.text).toMatch(/Pay now: http:\/\/localhost:3000\/p\//);

    const renderer = await firmRenderer(scopeOf(a));
    expect(await firmRenderer(scopeOf(a))).toBe(renderer);
    const before = renderer.compilations;
    const data = {
      firm: { name: 'Templates A' },
      customer: { name: 'Someone' },
      invoices: [{ number: '9', dueDate: '2026-10-01', balance: '5.00', currency: 'USD' }],
      asOf: '2026-11-03',
      portalUrl: 'http://localhost:3000/p/x',
      unsubscribeUrl: 'http://localhost:3000/u/x',
    };
    await renderer.render('overdue', data);
    await renderer.render('overdue', { ...data, customer: { name: 'Someone else' } });
    expect(renderer.compilations - before).toBeLessThanOrEqual(1);

    const reset = await request(t.web)
      .delete('/api/v1/templates/overdue')
      .set('Authorization', `Bearer ${a.token}`);
    expect(reset.status).toBe(200);
    expect(reset.body).toMatchObject({ source: 'builtin', version: null });
    expect((await listTemplates(scopeOf(a))).every((x) => x.source === 'builtin')).toBe(true);
  });

  it('answers 404 for an unknown template and 400 for a bad key', async () => {
    const missing = await request(t.web)
      .get('/api/v1/templates/nope')
      .set('Authorization', `Bearer ${a.token}`);
    expect(missing.status).toBe(404);
    const bad = await request(t.web)
      .put('/api/v1/templates/Bad%20Key')
      .set('Authorization', `Bearer ${a.token}`)
      .send({ subject: 'x', body: '<mj-text>x</mj-text>' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^key: /);
  });
});
