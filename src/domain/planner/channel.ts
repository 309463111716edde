import { daysBetween, type LocalDate } from '../calendar';
import { DESK_TASK_TEMPLATES, FIND_CONTACT_TEMPLATE, REMINDER_LETTER_TEMPLATE } from '../sequences/builtins';
import type { SequenceChannel, SequenceStep } from '../sequences/format';
import type { ChannelReason, PlannerCustomer, PlannerFirm, PlannerSequence } from './types';

export type ChannelChoice =
  | {
      ok: true;
      channel: SequenceChannel;
      reason: ChannelReason | null;
      template: string | null;
      /** The step's e-mail was not sent because the customer opted out (reported as a skip too). */
      optedOut?: true;
    }
  | { ok: false; reason: 'no_contact' };

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
 * Where automation cannot reach: a reminder letter when the customer has a postal address, else
 * (for an opted-out customer) a desk task to find another way to reach them. Null: nothing is left
 * to try for a customer with no address on file at all (the master-data check, a bounce or a wrong
 * number already asked a clerk for one).
 */
function humanFallback(
  customer: PlannerCustomer,
  reason: 'opted_out' | 'no_email' | 'no_phone',
): ChannelChoice | null {
  const optedOut = reason === 'opted_out' ? ({ optedOut: true } as const) : {};
  if (customer.hasAddress === true)
    return { ok: true, channel: 'letter', reason, template: REMINDER_LETTER_TEMPLATE, ...optedOut };
  if (reason === 'opted_out')
    return { ok: true, channel: 'call', reason, template: FIND_CONTACT_TEMPLATE, ...optedOut };
  return null;
}

/**
 * The channel an action really uses. E-mail becomes a call task for the human-touch rule, for a
 * customer who prefers calls or letters, and when no one can be e-mailed (all unsubscribed or no
 * address); without a phone it becomes a letter task, or for an opted-out customer a task to find
 * another channel. Never an e-mail to an opted-out customer; silence only when no channel is left.
 */
export function chooseChannel(
  step: SequenceStep,
  customer: PlannerCustomer,
  humanTouch: { applies: boolean; template: string },
): ChannelChoice {
  const template = step.template ?? null;
  const noContact = { ok: false, reason: 'no_contact' } as const;
  switch (step.channel) {
    case 'letter':
      return { ok: true, channel: 'letter', reason: null, template };
    case 'call':
      if (template !== null && DESK_TASK_TEMPLATES.includes(template))
        return { ok: true, channel: 'call', reason: null, template };
      return customer.hasPhone
        ? { ok: true, channel: step.channel, reason: null, template }
        : (humanFallback(customer, 'no_phone') ?? noContact);
    case 'sms':
      return customer.hasPhone
        ? { ok: true, channel: step.channel, reason: null, template }
        : (humanFallback(customer, 'no_phone') ?? noContact);
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
      if (customer.optedOut) {
        if (customer.hasPhone)
          return { ok: true, channel: 'call', reason: 'opted_out', template, optedOut: true };
        return humanFallback(customer, 'opted_out') ?? noContact;
      }
      if (!customer.hasEmail) {
        if (customer.hasPhone) return { ok: true, channel: 'call', reason: 'no_email', template };
        return humanFallback(customer, 'no_email') ?? noContact;
      }
      return { ok: true, channel: 'email', reason: null, template };
    }
  }
}
