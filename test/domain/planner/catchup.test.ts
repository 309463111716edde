import { plan, type PlannerSequence } from '../../../src/domain/planner';
import { GENTLE } from '../../../src/domain/sequences/builtins';
import { customer, doneBefore, input, invoice, standardV1 } from './fixtures';

describe('plan: catch-up after an outage', () => {
  it('after a 10-day outage plans only the latest step that fell due, never a burst', () => {
    // Due Monday 1 June; pre-due and due were sent; Duely was down 2–11 June.
    const i = invoice('c1', '2026-06-01', { doneStepKeys: ['pre-due', 'due'] });
    const out = plan(input({ asOf: '2026-06-12T15:00:00Z', invoices: [i] }));
    expect(out.actions).toHaveLength(1);
    expect(out.actions[0]).toMatchObject({
      stepKey: 'call-10',
      channel: 'call',
      sendAt: '2026-06-12T13:00:00.000Z',
    });
    expect(out.skipped).toEqual([
      {
        invoiceId: i.id,
        reason: 'superseded',
        customerId: 'c1',
        sequenceKey: 'standard',
        stepKey: 'overdue-3',
      },
    ]);
  });

  it('plans the final notice alone for an invoice found 40 days overdue with nothing sent', () => {
    const i = invoice('c1', '2026-05-01');
    const out = plan(input({ asOf: '2026-06-10T15:00:00Z', invoices: [i] }));
    expect(out.actions.map((a) => a.stepKey)).toEqual(['final-30']);
    expect(out.skipped.map((s) => s.stepKey)).toEqual([
      'pre-due',
      'due',
      'overdue-3',
      'call-10',
      'overdue-14',
    ]);
  });

  it('waits for the next business day to catch up when today is a weekend', () => {
    const i = invoice('c1', '2026-06-08', { doneStepKeys: doneBefore('overdue-3') }); // overdue-3 on Thursday 11th
    const sat = plan(input({ asOf: '2026-06-13T15:00:00Z', invoices: [i] }));
    expect(sat.actions).toEqual([]);
    expect(sat.nextActionAt[0]?.at).toBe('2026-06-15T13:00:00.000Z');
  });

  it('does not plan again once the latest step is done (earlier missed steps stay missed)', () => {
    const i = invoice('c1', '2026-06-01', { doneStepKeys: ['pre-due', 'due', 'call-10'] });
    const out = plan(input({ asOf: '2026-06-12T15:00:00Z', invoices: [i] }));
    expect(out.actions).toEqual([]);
    expect(out.skipped.map((s) => s.reason)).toEqual(['not_due']);
    expect(out.nextActionAt[0]?.at).toBe('2026-06-15T13:00:00.000Z'); // overdue-14
  });
});

describe('plan: sequence edits never re-send a done step', () => {
  const done = doneBefore('call-10'); // pre-due, due, overdue-3 sent under version 1

  it('a new version with moved offsets does not send a step already sent', () => {
    const v2: PlannerSequence = {
      ...standardV1,
      version: 2,
      steps: standardV1.steps.map((s) =>
        s.key === 'overdue-3' ? { ...s, offsetDays: 5, tone: 'firm' as const } : s,
      ),
    };
    const i = invoice('c1', '2026-06-01', { doneStepKeys: done });
    const out = plan(input({ asOf: '2026-06-08T15:00:00Z', sequences: [v2], invoices: [i] }));
    expect(out.actions).toEqual([]);
    expect(out.skipped.map((s) => s.reason)).toEqual(['not_due']);
  });

  it('a step inserted before a done step is never sent; a new later step is', () => {
    const v2: PlannerSequence = {
      ...standardV1,
      version: 2,
      steps: [
        ...standardV1.steps.slice(0, 2),
        { key: 'overdue-1', offsetDays: 1, channel: 'email', template: 'overdue' },
        ...standardV1.steps.slice(2, 3),
        { key: 'overdue-7', offsetDays: 7, channel: 'email', template: 'overdue', tone: 'firm' },
        ...standardV1.steps.slice(3),
      ],
    };
    const i = invoice('c1', '2026-06-01', { doneStepKeys: done });
    const day5 = plan(input({ asOf: '2026-06-05T15:00:00Z', sequences: [v2], invoices: [i] }));
    expect(day5.actions).toEqual([]);
    const day8 = plan(input({ asOf: '2026-06-08T15:00:00Z', sequences: [v2], invoices: [i] }));
    expect(day8.actions.map((a) => [a.stepKey, a.sequenceVersion])).toEqual([['overdue-7', 2]]);
  });

  it('a step done under another sequence (customer moved) is not sent again', () => {
    const gentle = { ...GENTLE, version: 3 };
    const c = customer('c1', { sequenceKey: 'standard' });
    const i = invoice('c1', '2026-06-04', { doneStepKeys: ['pre-due'] }); // sent by gentle
    const out = plan(
      input({ asOf: '2026-06-02T15:00:00Z', customers: [c], sequences: [gentle, standardV1], invoices: [i] }),
    );
    expect(out.actions).toEqual([]);
  });
});

describe('plan: invoices sharing a due date', () => {
  it('decides each invoice by its own done steps, and indexes the next send time of each', () => {
    const sent = invoice('c1', '2026-06-12', { doneStepKeys: doneBefore('call-10') });
    const notSent = invoice('c1', '2026-06-12', { doneStepKeys: doneBefore('overdue-3') });
    const out = plan(input({ asOf: '2026-06-15T15:00:00Z', invoices: [sent, notSent, sent] }));
    expect(out.actions.map((a) => [a.stepKey, a.invoiceIds])).toEqual([['overdue-3', [notSent.id]]]);
    expect(out.nextActionAt).toEqual([
      { invoiceId: sent.id, at: '2026-06-22T13:00:00.000Z' }, // call-10 on Monday 22 June
      { invoiceId: notSent.id, at: '2026-06-15T13:00:00.000Z' },
      { invoiceId: sent.id, at: '2026-06-22T13:00:00.000Z' },
    ]);
  });
});
