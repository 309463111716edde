import { daysBetween, type LocalDate } from '../calendar';
import { DESK_TASK_TEMPLATES } from '../sequences/builtins';
import type { SequenceChannel, SequenceStep } from '../sequences/format';
import type { ChannelReason, PlannerCustomer, PlannerFirm, PlannerSequence } from './types';

export type ChannelChoice =
  | { ok: true; channel: SequenceChannel; reason: ChannelReason | null; template: string | null }
  | { ok: false; reason: 'opted_out' | 'no_contact' };

/** The first overdue e-mail step of a sequence (where the human-touch rule may apply). */
export function firstOverdueEmailStep(sequence: PlannerSequence): SequenceStep | undefined {
  return sequence.steps
    .filter((s) => s.channel === 'email' && (s.from ?? 'due') === 'due' && s.offsetDays > 0)
    .sort((a, b) => a.offsetDays - b.offsetDays)[0];
}

function yearsBefore(date: LocalDate, years: number): LocalDate {
  return `${String(Number(date.slice(0, 4)) - years).padStart(4, '0')}${date.slice(4)}`;
}

export function humanTouchApplies(
  firm: PlannerFirm,
  customer: PlannerCustomer,
  sequence: PlannerSequence,
  step: SequenceStep,
  today: LocalDate,
): boolean {
  const rule = firm.humanTouch;
  if (!rule || customer.lateBefore || !customer.customerSince) return false;
  if (daysBetween(customer.customerSince, yearsBefore(today, rule.minYears)) < 0) return false;
  return firstOverdueEmailStep(sequence)?.key === step.key;
}

/**
 * The channel an action really uses. E-mail becomes a call task for the human-touch rule, for a
 * customer who prefers calls or letters, and when no one can be e-mailed (all unsubscribed or no
 * address) — silence only when no channel is left.
 */
export function chooseChannel(
  step: SequenceStep,
  customer: PlannerCustomer,
  humanTouch: { applies: boolean; template: string },
): ChannelChoice {
  const template = step.template ?? null;
  switch (step.channel) {
    case 'letter':
      return { ok: true, channel: 'letter', reason: null, template };
    case 'call':
      if (template !== null && DESK_TASK_TEMPLATES.includes(template))
        return { ok: true, channel: 'call', reason: null, template };
      return customer.hasPhone
        ? { ok: true, channel: step.channel, reason: null, template }
        : { ok: false, reason: 'no_contact' };
    case 'sms':
      return customer.hasPhone
        ? { ok: true, channel: step.channel, reason: null, template }
        : { ok: false, reason: 'no_contact' };
    case 'email': {
      if (humanTouch.applies && customer.hasPhone) {
        return { ok: true, channel: 'call', reason: 'human_touch', template: humanTouch.template };
      }
      if (customer.preferredChannel === 'letter') {
        return { ok: true, channel: 'letter', reason: 'preferred_channel', template };
      }
      if (customer.preferredChannel === 'call' && customer.hasPhone) {
        return { ok: true, channel: 'call', reason: 'preferred_channel', template };
      }
      if (customer.optedOut || !customer.hasEmail) {
        if (customer.hasPhone) {
          return {
            ok: true,
            channel: 'call',
            reason: customer.optedOut ? 'opted_out' : 'no_email',
            template,
          };
        }
        return { ok: false, reason: customer.optedOut ? 'opted_out' : 'no_contact' };
      }
      return { ok: true, channel: 'email', reason: null, template };
    }
  }
}
