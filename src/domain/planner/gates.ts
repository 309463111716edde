import { addDays, type LocalDate } from '../calendar';
import { parseMoney } from '../money';
import type { PlannerCustomer, PlannerFirm, PlannerInvoice, SkipReason } from './types';

export type Gate =
  | { open: true; balance: bigint }
  | {
      open: false;
      reason: SkipReason;
      /** first local date when the gate may open */ reopens: LocalDate | null;
    };

/** Invoice-level reasons not to plan anything, in order of precedence. */
export function invoiceGate(
  invoice: PlannerInvoice,
  customer: PlannerCustomer,
  firm: PlannerFirm,
  today: LocalDate,
): Gate {
  if (invoice.status !== 'open') return { open: false, reason: invoice.status, reopens: null };
  const balance = parseMoney(invoice.balance);
  if (balance <= 0n) return { open: false, reason: 'paid', reopens: null };
  if (firm.automation === 'off') return { open: false, reason: 'automation_off', reopens: null };
  if (customer.connectionStatus === 'needs_reconnect')
    return { open: false, reason: 'needs_reconnect', reopens: null };
  if (invoice.disputed) return { open: false, reason: 'disputed', reopens: null };
  if (invoice.promise) {
    const lastProtected = addDays(invoice.promise.until, invoice.promise.graceDays);
    if (today <= lastProtected)
      return { open: false, reason: 'promised', reopens: addDays(lastProtected, 1) };
  }
  if (customer.pausedUntil && today <= customer.pausedUntil) {
    return { open: false, reason: 'paused', reopens: addDays(customer.pausedUntil, 1) };
  }
  return { open: true, balance };
}

/** The customer's sequence: chosen by hand, else by tag, else the firm's default. */
export function sequenceKeyFor(
  customer: PlannerCustomer,
  firm: PlannerFirm,
  defaultKey: string | null,
): string | null {
  if (customer.sequenceKey) return customer.sequenceKey;
  for (const rule of firm.sequenceByTag ?? []) {
    if (customer.tags.includes(rule.tag)) return rule.sequenceKey;
  }
  return defaultKey;
}

export function isLive(customer: PlannerCustomer, firm: PlannerFirm): boolean {
  if (firm.automation !== 'live') return false;
  if (!firm.pilotActive) return true;
  return customer.pilot || (firm.pilotTags ?? []).some((t) => customer.tags.includes(t));
}
