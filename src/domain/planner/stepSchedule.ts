import type { SendSlot } from '../calendar';
import type { SequenceStep } from '../sequences/format';
import type { CustomerClock } from './context';
import type { PlannerInvoice, PlannerSequence } from './types';

export interface ScheduledStep {
  step: SequenceStep;
  /** The step's own send slot (offset applied, moved to a business day and out of quiet hours). */
  slot: SendSlot;
  order: number;
}

/** The sequence's steps for one invoice in the order they fall due (ties keep the file order). */
export function scheduleSteps(
  sequence: PlannerSequence,
  invoice: PlannerInvoice,
  clock: CustomerClock,
): ScheduledStep[] {
  const out = sequence.steps.map((step, i) => {
    const anchor = step.from === 'issue' ? invoice.issueDate : invoice.dueDate;
    return { step, slot: clock.stepSlot(anchor, step.offsetDays), order: i };
  });
  out.sort((a, b) => (a.slot.date < b.slot.date ? -1 : a.slot.date > b.slot.date ? 1 : a.order - b.order));
  return out;
}

export type StepDecision =
  | { kind: 'send'; chosen: ScheduledStep[]; slot: SendSlot; superseded: ScheduledStep[] }
  | { kind: 'wait'; reason: 'not_due' | 'condition_not_met'; stepKey?: string; nextAt: Date | null };

/**
 * Which step to act on now. Only steps after the last one done count (a done step is never
 * planned again, whatever the version). Of those that fell due, only the latest whose conditions
 * hold is planned (with any other step falling on that same day, e.g. an e-mail and a task); the
 * earlier ones are superseded — a catch-up after an outage never bursts.
 */
export function decideStep(
  steps: readonly ScheduledStep[],
  done: ReadonlySet<string>,
  clock: CustomerClock,
  applies: (step: SequenceStep) => boolean,
): StepDecision {
  let lastDone = -1;
  steps.forEach((s, i) => {
    if (done.has(s.step.key)) lastDone = i;
  });
  const pending = steps.slice(lastDone + 1);
  const fallen = pending.filter((s) => s.slot.date <= clock.today);
  const future = pending.find((s) => s.slot.date > clock.today);
  const nextAt = future ? future.slot.instant : null;
  const eligible = fallen.filter((s) => applies(s.step));
  const latest = eligible[eligible.length - 1];
  if (!latest) {
    const latest = fallen[fallen.length - 1];
    return latest
      ? { kind: 'wait', reason: 'condition_not_met', stepKey: latest.step.key, nextAt }
      : { kind: 'wait', reason: 'not_due', nextAt };
  }
  // A step that fell due on an earlier day is caught up today — on a business day, at the hour.
  const slot = latest.slot.date === clock.today ? latest.slot : clock.slot(clock.today);
  if (slot.date > clock.today) {
    return { kind: 'wait', reason: 'not_due', stepKey: latest.step.key, nextAt: slot.instant };
  }
  const chosen = eligible.filter((s) => s.slot.date === latest.slot.date);
  const superseded = eligible.filter((s) => s.slot.date < latest.slot.date);
  return { kind: 'send', chosen, slot, superseded };
}
