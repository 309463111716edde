import { and, eq } from 'drizzle-orm';
import { activities, auditLog, contacts, customers } from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { createTestApp, type TestApp } from '../support/app';
import { formBody, portalLink, portalVisitor } from '../support/portal';
import { seedFirm, type Firm } from '../support/tenancy';

describe('portal: contact preferences', () => {
  let t: TestApp;
  let a: Firm;
  let scope: OrgScope;
  let contactId: string;
  let visitor: Awaited<ReturnType<typeof portalVisitor>>;

  beforeAll(async () => {
    t = await createTestApp();
    a = await seedFirm(t.app, 'Prefs Firm');
    scope = new OrgScope(t.app.db, a.id);
    const [k] = await scope
      .insert(contacts, {
        customerId: a.customerId,
        email: 'ap@prefs.example',
        name: 'Ada AP',
        role: 'billing',
      })
      .returning({ id: contacts.id });
    contactId = k!.id;
    visitor = await portalVisitor(t.web, (await portalLink(t.app, a.id, a.customerId, contactId)).token);
  });
  afterAll(() => t.close());

  const state = async () => {
    const [c] = await scope.select(customers, eq(customers.id, a.customerId));
    const [k] = await scope.select(contacts, eq(contacts.id, contactId));
    return {
      channel: c!.preferredChannel,
      hour: c!.preferredHour,
      zone: c!.timezone,
      contact: { channel: k!.preferredChannel, hours: k!.contactHours, zone: k!.timezone },
    };
  };
  const valid = {
    channel: 'call',
    hoursFrom: '8',
    hoursTo: '12',
    days: ['1', '3', '5'],
    timezone: 'Europe/Berlin',
  };

  it('shows the form with sensible defaults and every time zone', async () => {
    const res = await visitor.get('/portal/preferences');
    expect(res.status).toBe(200);
    expect(res.text).toContain('aria-current="page">Contact preferences');
    expect(res.text).toContain('(for Ada AP)');
    expect(res.text).toContain('<option selected>UTC</option>');
    expect(res.text).toContain('<option>Pacific/Auckland</option>');
    expect(res.text).toMatch(/name="days" value="5" checked/);
    expect(res.text).not.toMatch(/name="days" value="6" checked/);
  });

  it('refuses a bad time zone or hours that end before they start with a clear message, changing nothing', async () => {
    const before = await state();
    const badZone = await visitor.post(
      '/portal/preferences',
      { ...valid, timezone: 'Mars/Olympus' },
      '/portal/preferences',
    );
    expect(badZone.status).toBe(400);
    expect(badZone.text).toContain('Choose a time zone from the list');
    expect(badZone.text).toMatch(/name="timezone" aria-invalid="true"/);
    const backwards = await visitor.post(
      '/portal/preferences',
      { ...valid, hoursFrom: '17', hoursTo: '9' },
      '/portal/preferences',
    );
    expect(backwards.status).toBe(400);
    expect(backwards.text).toContain('Contact hours must end after they start');
    // the values typed are kept in the form
    expect(backwards.text).toMatch(/<option value="17" selected>17:00<\/option>/);
    const same = await visitor.post(
      '/portal/preferences',
      { ...valid, hoursFrom: '9', hoursTo: '9' },
      '/portal/preferences',
    );
    expect(same.status).toBe(400);
    const noDays = await visitor.post('/portal/preferences', { ...valid, days: [] }, '/portal/preferences');
    expect(noDays.status).toBe(400);
    expect(noDays.text).toContain('Choose at least one day');
    const badChannel = await visitor.post(
      '/portal/preferences',
      { ...valid, channel: 'pigeon' },
      '/portal/preferences',
    );
    expect(badChannel.status).toBe(400);
    expect(badChannel.text).toContain('Choose e-mail, phone call or letter');
    expect(await state()).toEqual(before);
  });

  it('needs the form’s CSRF token', async () => {
    const before = await state();
    const res = await visitor.agent.post('/portal/preferences').type('form').send(formBody(valid));
    expect(res.status).toBe(403);
    expect(await state()).toEqual(before);
  });

  it('saves to the customer and the portal contact, on the timeline and in the audit log as the customer', async () => {
    const res = await visitor.post('/portal/preferences', valid, '/portal/preferences');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/portal/preferences?saved=1');
    expect(await state()).toEqual({
      channel: 'call',
      hour: 8,
      zone: 'Europe/Berlin',
      contact: { channel: 'call', hours: { from: 8, to: 12, days: [1, 3, 5] }, zone: 'Europe/Berlin' },
    });
    const page = await visitor.get('/portal/preferences?saved=1');
    expect(page.text).toContain('Your preferences are saved');
    expect(page.text).toContain('<option selected>Europe/Berlin</option>');
    expect(page.text).toMatch(/value="call" checked/);

    const timeline = await scope.select(
      activities,
      and(eq(activities.customerId, a.customerId), eq(activities.kind, 'preferences.updated')),
    );
    expect(timeline).toHaveLength(1);
    expect(timeline[0]!.actorType).toBe('customer');
    expect(timeline[0]!.data.fields).toEqual(['channel', 'timezone', 'hours']);
    const audited = await scope.select(auditLog, eq(auditLog.action, 'customer.preferences_updated'));
    expect(audited.map((r) => [r.actorType, r.actorId])).toEqual([['customer', a.customerId]]);

    // saving the same values again records nothing new
    await visitor.post('/portal/preferences', valid, '/portal/preferences');
    expect(
      await scope.select(
        activities,
        and(eq(activities.customerId, a.customerId), eq(activities.kind, 'preferences.updated')),
      ),
    ).toHaveLength(1);
  });
});
