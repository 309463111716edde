import { plan } from '../../../src/domain/planner';
import { customer, doneBefore, firm, input, invoice } from './fixtures';

describe('plan: step offsets', () => {
  const inv = (over = {}) => invoice('c1', '2026-06-12', over); // a Friday

  it('plans the pre-due reminder two days before the due date at 9:00 New York time', () => {
    const i = inv();
    const out = plan(input({ asOf: '2026-06-10T15:00:00Z', invoices: [i] }));
    expect(out.actions).toEqual([
      expect.objectContaining({
        customerId: 'c1',
        invoiceIds: [i.id],
        sequenceKey: 'standard',
        stepKey: 'pre-due',
        channel: 'email',
        sendAt: '2026-06-10T13:00:00.000Z',
        live: true,
        template: 'friendly-reminder',
        tone: 'friendly',
      }),
    ]);
    expect(out.skipped).toEqual([]);
  });

  it('plans the due-date e-mail on the due date', () => {
    const out = plan(
      input({ asOf: '2026-06-12T12:00:00Z', invoices: [inv({ doneStepKeys: doneBefore('due') })] }),
    );
    expect(out.actions.map((a) => [a.stepKey, a.template, a.sendAt])).toEqual([
      ['due', 'due-today', '2026-06-12T13:00:00.000Z'],
    ]);
  });

  it('plans the overdue e-mail three days after the due date', () => {
    const out = plan(
      input({ asOf: '2026-06-15T12:00:00Z', invoices: [inv({ doneStepKeys: doneBefore('overdue-3') })] }),
    );
    expect(out.actions.map((a) => [a.stepKey, a.template])).toEqual([['overdue-3', 'overdue']]);
  });

  it('reports not_due before the first step and indexes the next send time', () => {
    const i = inv();
    const out = plan(input({ asOf: '2026-06-09T15:00:00Z', invoices: [i] }));
    expect(out.actions).toEqual([]);
    expect(out.skipped).toEqual([
      { invoiceId: i.id, reason: 'not_due', customerId: 'c1', sequenceKey: 'standard' },
    ]);
    expect(out.nextActionAt).toEqual([{ invoiceId: i.id, at: '2026-06-10T13:00:00.000Z' }]);
  });

  it('counts from the issue date when a step says from: "issue"', () => {
    const seq = {
      key: 'after-issue',
      name: 'After issue',
      default: true,
      version: 1,
      steps: [
        {
          key: 'issued-7',
          offsetDays: 7,
          from: 'issue' as const,
          channel: 'email' as const,
          template: 'overdue',
        },
      ],
    };
    const i = invoice('c1', '2026-07-30', { issueDate: '2026-06-01' });
    const out = plan(input({ asOf: '2026-06-08T15:00:00Z', sequences: [seq], invoices: [i] }));
    expect(out.actions.map((a) => a.stepKey)).toEqual(['issued-7']);
  });
});

describe('plan: business days', () => {
  it('moves a step that falls on a Saturday to Monday', () => {
    const i = invoice('c1', '2026-06-13', { doneStepKeys: doneBefore('due') }); // Saturday
    const sat = plan(input({ asOf: '2026-06-13T15:00:00Z', invoices: [i] }));
    expect(sat.actions).toEqual([]);
    expect(sat.nextActionAt[0]?.at).toBe('2026-06-15T13:00:00.000Z');
    const mon = plan(input({ asOf: '2026-06-15T15:00:00Z', invoices: [i] }));
    expect(mon.actions.map((a) => [a.stepKey, a.sendAt])).toEqual([['due', '2026-06-15T13:00:00.000Z']]);
  });

  it('moves a step off a US public holiday (Thanksgiving) to the next business day', () => {
    const i = invoice('c1', '2026-11-26', { doneStepKeys: doneBefore('due') });
    const thu = plan(input({ asOf: '2026-11-26T18:00:00Z', invoices: [i] }));
    expect(thu.actions).toEqual([]);
    expect(thu.skipped[0]?.reason).toBe('not_due');
    const fri = plan(input({ asOf: '2026-11-27T18:00:00Z', invoices: [i] }));
    expect(fri.actions.map((a) => [a.stepKey, a.sendAt])).toEqual([['due', '2026-11-27T14:00:00.000Z']]);
  });

  it('treats the observed Independence Day (Friday 3 July 2026) as a holiday', () => {
    const i = invoice('c1', '2026-07-03', { doneStepKeys: doneBefore('due') });
    const out = plan(input({ asOf: '2026-07-03T15:00:00Z', invoices: [i] }));
    expect(out.nextActionAt[0]?.at).toBe('2026-07-06T13:00:00.000Z');
  });

  it('uses the firm’s country: the UK Early May bank holiday is not a business day in GB', () => {
    const i = invoice('c1', '2026-05-04', { doneStepKeys: doneBefore('due') });
    const gb = firm({ country: 'GB', timezone: 'Europe/London' });
    const out = plan(input({ asOf: '2026-05-04T12:00:00Z', firm: gb, invoices: [i] }));
    expect(out.actions).toEqual([]);
    expect(out.nextActionAt[0]?.at).toBe('2026-05-05T08:00:00.000Z'); // 09:00 BST
    const us = plan(input({ asOf: '2026-05-04T15:00:00Z', invoices: [i] }));
    expect(us.actions.map((a) => a.stepKey)).toEqual(['due']);
  });
});

describe('plan: time zones and send hour', () => {
  const dueOn = (date: string, asOf: string, c = customer('c1')) =>
    plan(
      input({ asOf, customers: [c], invoices: [invoice('c1', date, { doneStepKeys: doneBefore('due') })] }),
    ).actions[0]?.sendAt;

  it('sends at 9:00 New York time on both sides of the March DST change', () => {
    expect(dueOn('2026-03-06', '2026-03-06T20:00:00Z')).toBe('2026-03-06T14:00:00.000Z'); // EST
    expect(dueOn('2026-03-09', '2026-03-09T20:00:00Z')).toBe('2026-03-09T13:00:00.000Z'); // EDT
  });

  it('sends at 9:00 New York time on both sides of the November DST change', () => {
    expect(dueOn('2026-10-30', '2026-10-30T20:00:00Z')).toBe('2026-10-30T13:00:00.000Z'); // EDT
    expect(dueOn('2026-11-02', '2026-11-02T20:00:00Z')).toBe('2026-11-02T14:00:00.000Z'); // EST
  });

  it('uses the customer’s own zone and preferred hour', () => {
    const c = customer('c1', { timezone: 'America/Los_Angeles', preferredHour: 10 });
    expect(dueOn('2026-03-06', '2026-03-06T23:00:00Z', c)).toBe('2026-03-06T18:00:00.000Z');
    expect(dueOn('2026-03-09', '2026-03-09T23:00:00Z', c)).toBe('2026-03-09T17:00:00.000Z');
  });

  it('uses the customer’s local date: late evening UTC is still the previous day in Los Angeles', () => {
    const c = customer('c1', { timezone: 'America/Los_Angeles' });
    // 2026-06-12T03:00Z is 11 June 20:00 in Los Angeles: the due date has not come there yet.
    expect(dueOn('2026-06-12', '2026-06-12T03:00:00Z', c)).toBeUndefined();
  });

  it('moves an early preferred hour to the end of quiet hours on the same day', () => {
    const c = customer('c1', { preferredHour: 6 });
    expect(dueOn('2026-06-12', '2026-06-12T18:00:00Z', c)).toBe('2026-06-12T12:00:00.000Z'); // 08:00 EDT
  });

  it('moves a late preferred hour to the next business morning', () => {
    const c = customer('c1', { preferredHour: 22 });
    const i = invoice('c1', '2026-06-12', { doneStepKeys: doneBefore('due') });
    const fri = plan(input({ asOf: '2026-06-12T18:00:00Z', customers: [c], invoices: [i] }));
    expect(fri.actions).toEqual([]);
    expect(fri.nextActionAt[0]?.at).toBe('2026-06-15T12:00:00.000Z'); // Monday 08:00 EDT
  });
});

describe('plan: as of a date', () => {
  it('reads a date-only asOf as that calendar day in the customer’s zone, not UTC midnight', () => {
    const i = invoice('c1', '2026-06-12', { doneStepKeys: doneBefore('due') });
    const la = customer('c1', { timezone: 'America/Los_Angeles' });
    const out = plan(input({ asOf: '2026-06-12', customers: [la], invoices: [i] }));
    expect(out.asOf).toBe('2026-06-12');
    expect(out.actions.map((a) => [a.stepKey, a.sendAt])).toEqual([['due', '2026-06-12T16:00:00.000Z']]);
    expect(() => plan(input({ asOf: '2026-02-30', invoices: [i] }))).toThrow(/not a date/);
  });
});
