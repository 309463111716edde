import { plan } from '../../../src/domain/planner';
import { customer, doneBefore, input, invoice } from './fixtures';

/** The firm is in New York (fixtures); the US changes clocks on 8 March 2026, the EU on 29 March. */
describe('plan: daylight saving in the customer’s zone, not the firm’s', () => {
  const dueStep = (c: ReturnType<typeof customer>, dueDate: string, asOf: string) =>
    plan(
      input({
        asOf,
        customers: [c],
        invoices: [invoice('c1', dueDate, { doneStepKeys: doneBefore('due') })],
      }),
    );

  it('indexes a step planned before the spring change at 9:00 local after it', () => {
    // Friday 6 March (EST) looks ahead to Monday 9 March (EDT)
    const out = dueStep(customer('c1'), '2026-03-09', '2026-03-06T20:00:00Z');
    expect(out.actions).toEqual([]);
    expect(out.nextActionAt[0]?.at).toBe('2026-03-09T13:00:00.000Z');
  });

  it('sends at 9:00 Berlin time to a Berlin customer on both sides of the EU change, between the two changes too', () => {
    const berlin = customer('c1', { timezone: 'Europe/Berlin' });
    // 20 March: New York is already on EDT, Berlin still on CET (UTC+1)
    expect(dueStep(berlin, '2026-03-20', '2026-03-20T12:00:00Z').actions[0]?.sendAt).toBe(
      '2026-03-20T08:00:00.000Z',
    );
    // 30 March: Berlin on CEST (UTC+2)
    expect(dueStep(berlin, '2026-03-30', '2026-03-30T12:00:00Z').actions[0]?.sendAt).toBe(
      '2026-03-30T07:00:00.000Z',
    );
  });

  it('keeps the Berlin customer’s quiet hours in Berlin time: a 21:00 preference waits for the next business morning', () => {
    const late = customer('c1', { timezone: 'Europe/Berlin', preferredHour: 21 });
    // Friday 27 March CET; the next business morning is Monday 30 March, 08:00 CEST
    const out = dueStep(late, '2026-03-27', '2026-03-27T12:00:00Z');
    expect(out.actions).toEqual([]);
    expect(out.nextActionAt[0]?.at).toBe('2026-03-30T06:00:00.000Z');
  });
});
