import { plan } from '../../../src/domain/planner';
import { customer, doneBefore, firm, input, invoice } from './fixtures';

const AS_OF = '2026-06-15T15:00:00Z'; // Monday
const rules = (minGapDays: number, weeklyCap: number | null) =>
  firm({ sendRules: { defaultHour: 9, quietHours: { start: 20, end: 8 }, minGapDays, weeklyCap } });
const overdue3 = () => invoice('c1', '2026-06-12', { doneStepKeys: doneBefore('overdue-3') });

describe('plan: minimum gap and weekly cap', () => {
  it('holds a message when the customer was e-mailed yesterday and the gap is 2 days', () => {
    const c = customer('c1', { recentContacts: ['2026-06-14T13:00:00Z'] });
    const i = overdue3();
    const out = plan(input({ asOf: AS_OF, firm: rules(2, null), customers: [c], invoices: [i] }));
    expect(out.actions).toEqual([]);
    expect(out.skipped).toEqual([
      { invoiceId: i.id, reason: 'min_gap', customerId: 'c1', sequenceKey: 'standard', stepKey: 'overdue-3' },
    ]);
    expect(out.nextActionAt[0]?.at).toBe('2026-06-16T13:00:00.000Z');
  });

  it('sends when the last contact is exactly the gap ago', () => {
    const c = customer('c1', { recentContacts: ['2026-06-13T23:30:00Z'] }); // 13 June local
    const out = plan(input({ asOf: AS_OF, firm: rules(2, null), customers: [c], invoices: [overdue3()] }));
    expect(out.actions).toHaveLength(1);
  });

  it('sends only the most advanced of two steps due the same day, the other waits for the gap', () => {
    const late = overdue3();
    const early = invoice('c1', '2026-06-17', { doneStepKeys: [] }); // pre-due on 15 June
    const out = plan(input({ asOf: AS_OF, firm: rules(2, null), invoices: [early, late] }));
    expect(out.actions.map((a) => a.stepKey)).toEqual(['overdue-3']);
    expect(out.skipped.map((s) => [s.invoiceId, s.reason, s.stepKey])).toEqual([
      [early.id, 'min_gap', 'pre-due'],
    ]);
  });

  it('never holds a call task for the gap: tasks are for the firm’s clerks', () => {
    const c = customer('c1', { recentContacts: ['2026-06-15T12:00:00Z'] });
    const i = invoice('c1', '2026-06-05', { doneStepKeys: doneBefore('call-10') });
    const out = plan(input({ asOf: AS_OF, firm: rules(3, 1), customers: [c], invoices: [i] }));
    expect(out.actions.map((a) => a.channel)).toEqual(['call']);
  });

  it('holds a message when the weekly cap is reached', () => {
    const c = customer('c1', {
      recentContacts: ['2026-06-09T13:00:00Z', '2026-06-11T13:00:00Z', '2026-06-12T13:00:00Z'],
    });
    const out = plan(input({ asOf: AS_OF, firm: rules(0, 3), customers: [c], invoices: [overdue3()] }));
    expect(out.skipped.map((s) => s.reason)).toEqual(['weekly_cap']);
    // 9 June drops out of the 7-day window on 16 June.
    expect(out.nextActionAt[0]?.at).toBe('2026-06-16T13:00:00.000Z');
  });

  it('does not count contacts older than seven days toward the cap', () => {
    const c = customer('c1', {
      recentContacts: ['2026-06-08T13:00:00Z', '2026-06-11T13:00:00Z', '2026-06-12T13:00:00Z'],
    });
    const out = plan(input({ asOf: AS_OF, firm: rules(0, 3), customers: [c], invoices: [overdue3()] }));
    expect(out.actions).toHaveLength(1);
  });
});

describe('plan: preview, live and pilot', () => {
  const two = () => [customer('c1', { pilot: true }), customer('c2', { tags: ['beta'] }), customer('c3')];
  const invs = () =>
    ['c1', 'c2', 'c3'].map((c) => invoice(c, '2026-06-12', { doneStepKeys: doneBefore('overdue-3') }));
  const liveFlags = (f: ReturnType<typeof firm>) =>
    plan(input({ asOf: AS_OF, firm: f, customers: two(), invoices: invs() })).actions.map((a) => [
      a.customerId,
      a.live,
    ]);

  it('plans everything with live:false in preview', () => {
    expect(liveFlags(firm({ automation: 'preview' }))).toEqual([
      ['c1', false],
      ['c2', false],
      ['c3', false],
    ]);
  });

  it('plans everything live when automation is live without a pilot', () => {
    expect(liveFlags(firm({ automation: 'live' }))).toEqual([
      ['c1', true],
      ['c2', true],
      ['c3', true],
    ]);
  });

  it('limits live to pilot customers and pilot tags while piloting', () => {
    expect(liveFlags(firm({ automation: 'live', pilotActive: true, pilotTags: ['beta'] }))).toEqual([
      ['c1', true],
      ['c2', true],
      ['c3', false],
    ]);
  });
});

describe('plan: human touch', () => {
  const touch = firm({ humanTouch: { minYears: 5, template: 'first-late-call' } });
  const loyal = (over = {}) => customer('c1', { customerSince: '2019-03-01', lateBefore: false, ...over });

  it('makes a call task instead of the first overdue e-mail for a long-standing customer late for the first time', () => {
    const out = plan(input({ asOf: AS_OF, firm: touch, customers: [loyal()], invoices: [overdue3()] }));
    expect(out.actions.map((a) => [a.stepKey, a.channel, a.template, a.channelReason])).toEqual([
      ['overdue-3', 'call', 'first-late-call', 'human_touch'],
    ]);
  });

  it('sends the e-mail when the customer has been late before', () => {
    const out = plan(
      input({ asOf: AS_OF, firm: touch, customers: [loyal({ lateBefore: true })], invoices: [overdue3()] }),
    );
    expect(out.actions.map((a) => a.channel)).toEqual(['email']);
  });

  it('sends the e-mail to a customer of fewer years', () => {
    const c = loyal({ customerSince: '2021-06-16' });
    const out = plan(input({ asOf: AS_OF, firm: touch, customers: [c], invoices: [overdue3()] }));
    expect(out.actions.map((a) => a.channel)).toEqual(['email']);
  });

  it('leaves later overdue e-mails as e-mails', () => {
    const i = invoice('c1', '2026-06-01', { doneStepKeys: doneBefore('overdue-14') });
    const out = plan(input({ asOf: AS_OF, firm: touch, customers: [loyal()], invoices: [i] }));
    expect(out.actions.map((a) => [a.stepKey, a.channel])).toEqual([['overdue-14', 'email']]);
  });
});
