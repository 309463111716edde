/**
 * Disputes and requests: the status machine and the first-response deadline in business hours.
 * Pure (time zones and holidays come from the calendar helpers).
 *
 *   open ──▶ waiting_on_customer ──▶ open          (the customer answered)
 *   open | waiting_on_customer ──▶ resolved        (with an outcome)
 *   resolved ──▶ open                              (reopened; the outcome is cleared)
 */
import { addDays, isBusinessDay, localDateOf, zonedInstant, type LocalDate } from './calendar';

export type DisputeStatus = 'open' | 'waiting_on_customer' | 'resolved';

export const DISPUTE_STATUSES: readonly DisputeStatus[] = ['open', 'waiting_on_customer', 'resolved'];

export type Transition =
  | { ok: true; status: DisputeStatus; outcome: string | null; reopened: boolean }
  | { ok: false; message: string };

const STATUS_WORDS: Record<DisputeStatus, string> = {
  open: 'open',
  waiting_on_customer: 'waiting on the customer',
  resolved: 'resolved',
};

export const disputeStatusLabel = (s: string): string => STATUS_WORDS[s as DisputeStatus] ?? s;

/** Move a dispute from `from` to `to`; resolving needs one of `outcomes`. */
export function transitionDispute(
  from: DisputeStatus,
  to: DisputeStatus,
  outcome: string | null | undefined,
  outcomes: readonly string[],
): Transition {
  if (from === to) return { ok: false, message: `the case is already ${STATUS_WORDS[to]}` };
  if (to === 'resolved') {
    if (!outcome) return { ok: false, message: 'choose an outcome to resolve the case' };
    if (!outcomes.includes(outcome))
      return { ok: false, message: `the outcome must be one of ${outcomes.join(', ')}` };
    return { ok: true, status: 'resolved', outcome, reopened: false };
  }
  if (to === 'waiting_on_customer' && from === 'resolved')
    return { ok: false, message: 'reopen the case before waiting on the customer' };
  return { ok: true, status: to, outcome: null, reopened: from === 'resolved' };
}

/** A customer's reply: a case waiting on them is open again; others keep their status. */
export function statusAfterCustomerReply(from: DisputeStatus): DisputeStatus {
  return from === 'waiting_on_customer' ? 'open' : from;
}

export interface ResponsePolicy {
  /** First response due within this many business hours. */
  firstResponseHours: number;
  /** Local business hours [start, end), whole hours; end may be 24. */
  businessHours: { start: number; end: number };
}

const HOUR_MS = 3_600_000;

/** The instant a local business day opens or closes (hour 24 is the next day's midnight). */
function boundary(day: LocalDate, hour: number, zone: string): number {
  return (hour >= 24 ? zonedInstant(addDays(day, 1), 0, zone) : zonedInstant(day, hour, zone)).getTime();
}

/**
 * When the first response to a case opened at `createdAt` is due: `firstResponseHours` of
 * business time later, counting only the firm's business hours on its business days (weekends
 * and the public holidays of `country` skipped), in the firm's time zone. Real elapsed time is
 * counted, so a window that spans a DST change is as long as the clock says it is.
 */
export function firstResponseDue(
  createdAt: Date,
  policy: ResponsePolicy,
  zone: string,
  country: string,
): Date {
  const { start, end } = policy.businessHours;
  let remaining = policy.firstResponseHours * HOUR_MS;
  let cursor = createdAt.getTime();
  let day = localDateOf(createdAt, zone);
  // A year has far fewer than 400 closed days in a row; the bound only guards a bad policy.
  for (let i = 0; i < 400; i++) {
    if (isBusinessDay(day, country)) {
      const open = boundary(day, start, zone);
      const close = boundary(day, end, zone);
      const from = Math.max(cursor, open);
      if (from < close) {
        if (close - from >= remaining) return new Date(from + remaining);
        remaining -= close - from;
      }
    }
    day = addDays(day, 1);
    cursor = Math.max(cursor, zonedInstant(day, 0, zone).getTime());
  }
  throw new RangeError('no business hours found within 400 days');
}

/** Open or waiting, never answered, and past its first-response deadline. */
export function isSlaBreached(
  d: { status: string; firstResponseAt: Date | null; firstResponseDueAt: Date },
  now: Date,
): boolean {
  return (
    d.status !== 'resolved' && d.firstResponseAt === null && d.firstResponseDueAt.getTime() < now.getTime()
  );
}
