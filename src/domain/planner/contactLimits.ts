import { addDays, daysBetween, localDateOf, type LocalDate } from '../calendar';
import type { SendRules } from './types';

/** Automatic messages count toward the gap and the cap; tasks for the firm's clerks do not. */
export const isMessageChannel = (channel: string): boolean => channel === 'email' || channel === 'sms';

export type LimitCheck =
  | { ok: true }
  | {
      ok: false;
      reason: 'min_gap' | 'weekly_cap';
      /** first local date the limit allows */ reopens: LocalDate;
    };

/**
 * Whether one more message on `sendDate` respects the minimum gap and the weekly cap, given the
 * local dates of the customer's earlier messages (sent, or planned earlier in this run).
 */
export function checkContactLimits(
  sendDate: LocalDate,
  contactDates: readonly LocalDate[],
  rules: SendRules,
): LimitCheck {
  const before = contactDates.filter((d) => d <= sendDate);
  if (rules.minGapDays > 0 && before.length > 0) {
    const last = before.reduce((a, b) => (a > b ? a : b));
    if (daysBetween(last, sendDate) < rules.minGapDays) {
      return { ok: false, reason: 'min_gap', reopens: addDays(last, rules.minGapDays) };
    }
  }
  if (rules.weeklyCap !== null) {
    const windowStart = addDays(sendDate, -6);
    const inWindow = before.filter((d) => d >= windowStart).sort();
    if (inWindow.length >= rules.weeklyCap) {
      const dropsOut = inWindow[inWindow.length - rules.weeklyCap] as LocalDate;
      return { ok: false, reason: 'weekly_cap', reopens: addDays(dropsOut, 7) };
    }
  }
  return { ok: true };
}

export function contactDatesOf(instants: readonly string[], zone: string): LocalDate[] {
  return instants.map((i) => localDateOf(i, zone));
}
