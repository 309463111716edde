import {
  plan,
  SKIP_REASONS,
  type PlannerInput,
  type PlannerSequence,
  type SkipReason,
} from '../../../src/domain/planner';
import { FIRM } from '../../../src/domain/sequences/builtins';
import { customer, doneBefore, firm, input, invoice, standardV1 } from './fixtures';

const AS_OF = '2026-06-15T15:00:00Z'; // Monday, 11:00 in New York
const firmV1: PlannerSequence = { ...FIRM, version: 1 };
const beforeLetter = FIRM.steps.filter((s) => s.key !== 'letter-21').map((s) => s.key);

describe('plan: letter steps', () => {
  // due Monday 25 May: the firm sequence's letter-21 falls on Monday 15 June
  const dueForLetter = (balance: string) =>
    invoice('c1', '2026-05-25', { balance, doneStepKeys: beforeLetter });

  it('plans a letter task with the final-letter talking points when the balance reaches the minimum', () => {
    const c = customer('c1', { sequenceKey: 'firm' });
    const out = plan(
      input({ asOf: AS_OF, customers: [c], sequences: [firmV1], invoices: [dueForLetter('500')] }),
    );
    expect(out.actions).toMatchObject([
      {
        stepKey: 'letter-21',
        channel: 'letter',
        template: 'final-letter',
        tone: 'final',
        channelReason: null,
        sendAt: '2026-06-15T13:00:00.000Z',
      },
    ]);
  });

  it('skips the letter below the minimum balance as condition_not_met', () => {
    const c = customer('c1', { sequenceKey: 'firm' });
    const out = plan(
      input({ asOf: AS_OF, customers: [c], sequences: [firmV1], invoices: [dueForLetter('499.99')] }),
    );
    expect(out.actions).toEqual([]);
    expect(out.skipped.map((s) => [s.reason, s.stepKey])).toEqual([['condition_not_met', 'letter-21']]);
  });

  it('sends a letter step to a customer who can be neither e-mailed nor called, and never counts it toward the cap', () => {
    const c = customer('c1', {
      sequenceKey: 'firm',
      optedOut: true,
      hasPhone: false,
      recentContacts: ['2026-06-15T12:00:00Z'],
    });
    const f = firm({ sendRules: { defaultHour: 9, quietHours: null, minGapDays: 5, weeklyCap: 1 } });
    const out = plan(
      input({ asOf: AS_OF, firm: f, customers: [c], sequences: [firmV1], invoices: [dueForLetter('800')] }),
    );
    expect(out.actions.map((a) => [a.channel, a.stepKey])).toEqual([['letter', 'letter-21']]);
    expect(out.skipped).toEqual([]);
  });
});

describe('plan: text messages (modelled for a later SMS provider)', () => {
  const withSms: PlannerSequence = {
    key: 'texting',
    name: 'Texting',
    version: 1,
    default: true,
    steps: [{ key: 'sms-3', offsetDays: 3, channel: 'sms', template: 'overdue' }],
  };
  const due12 = () => invoice('c1', '2026-06-12');

  it('plans an sms action for a customer with a phone', () => {
    const out = plan(input({ asOf: AS_OF, sequences: [withSms], invoices: [due12()] }));
    expect(out.actions.map((a) => [a.channel, a.stepKey, a.channelReason])).toEqual([['sms', 'sms-3', null]]);
  });

  it('counts a text toward the minimum gap like an e-mail', () => {
    const c = customer('c1', { recentContacts: ['2026-06-14T13:00:00Z'] });
    const f = firm({ sendRules: { defaultHour: 9, quietHours: null, minGapDays: 2, weeklyCap: null } });
    const out = plan(
      input({ asOf: AS_OF, firm: f, customers: [c], sequences: [withSms], invoices: [due12()] }),
    );
    expect(out.actions).toEqual([]);
    expect(out.skipped.map((s) => s.reason)).toEqual(['min_gap']);
  });

  it('without a phone: a letter when there is a postal address, else no_contact', () => {
    const letter = plan(
      input({
        asOf: AS_OF,
        customers: [customer('c1', { hasPhone: false, hasAddress: true })],
        sequences: [withSms],
        invoices: [due12()],
      }),
    );
    expect(letter.actions.map((a) => [a.channel, a.channelReason])).toEqual([['letter', 'no_phone']]);
    const none = plan(
      input({
        asOf: AS_OF,
        customers: [customer('c1', { hasPhone: false })],
        sequences: [withSms],
        invoices: [due12()],
      }),
    );
    expect(none.skipped.map((s) => s.reason)).toEqual(['no_contact']);
  });
});

describe('plan: every skip reason', () => {
  const overdue3 = (over = {}) =>
    invoice('c1', '2026-06-12', { doneStepKeys: doneBefore('overdue-3'), ...over });
  const at = (over: Partial<PlannerInput>): PlannerInput => input({ asOf: AS_OF, ...over });
  const cases: [SkipReason, () => PlannerInput][] = [
    ['paid', () => at({ invoices: [overdue3({ status: 'paid' })] })],
    ['voided', () => at({ invoices: [overdue3({ status: 'voided' })] })],
    ['deleted', () => at({ invoices: [overdue3({ status: 'deleted' })] })],
    ['disputed', () => at({ invoices: [overdue3({ disputed: true })] })],
    ['promised', () => at({ invoices: [overdue3({ promise: { until: '2026-06-20', graceDays: 0 } })] })],
    [
      'paused',
      () => at({ customers: [customer('c1', { pausedUntil: '2026-06-30' })], invoices: [overdue3()] }),
    ],
    ['opted_out', () => at({ customers: [customer('c1', { optedOut: true })], invoices: [overdue3()] })],
    ['not_due', () => at({ invoices: [invoice('c1', '2026-07-31')] })],
    [
      'needs_reconnect',
      () =>
        at({ customers: [customer('c1', { connectionStatus: 'needs_reconnect' })], invoices: [overdue3()] }),
    ],
    [
      'min_gap',
      () =>
        at({
          firm: firm({ sendRules: { defaultHour: 9, quietHours: null, minGapDays: 2, weeklyCap: null } }),
          customers: [customer('c1', { recentContacts: ['2026-06-14T13:00:00Z'] })],
          invoices: [overdue3()],
        }),
    ],
    [
      'weekly_cap',
      () =>
        at({
          firm: firm({ sendRules: { defaultHour: 9, quietHours: null, minGapDays: 0, weeklyCap: 1 } }),
          customers: [customer('c1', { recentContacts: ['2026-06-11T13:00:00Z'] })],
          invoices: [overdue3()],
        }),
    ],
    [
      'no_contact',
      () => at({ customers: [customer('c1', { hasEmail: false, hasPhone: false })], invoices: [overdue3()] }),
    ],
    ['automation_off', () => at({ firm: firm({ automation: 'off' }), invoices: [overdue3()] })],
    [
      'condition_not_met',
      () =>
        at({
          customers: [customer('c1', { sequenceKey: 'firm' })],
          sequences: [firmV1],
          invoices: [invoice('c1', '2026-05-25', { balance: '10.00', doneStepKeys: beforeLetter })],
        }),
    ],
    [
      'superseded',
      () => at({ invoices: [invoice('c1', '2026-06-01', { doneStepKeys: ['pre-due', 'due'] })] }),
    ],
    ['no_sequence', () => at({ sequences: [{ ...standardV1, default: false }], invoices: [overdue3()] })],
  ];

  it.each(cases)('produces %s', (reason, make) => {
    const out = plan(make());
    expect(out.skipped.map((s) => s.reason)).toContain(reason);
    // an invoice skipped for a reason other than a superseded step or an opt-out gets no action
    if (reason !== 'superseded' && reason !== 'opted_out') expect(out.actions).toEqual([]);
  });

  it('has a case for every reason the planner can give', () => {
    expect(cases.map(([r]) => r).sort()).toEqual([...SKIP_REASONS].sort());
  });
});
