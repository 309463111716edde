/**
 * Promises to pay: what a valid promise is, and how one settles against the invoices it covers.
 * Pure: the caller reads the invoices and the firm's local date.
 *
 * Settlement counts what was *paid*, not what merely left the balance: a credit note applied to a
 * promised invoice after the promise lowers what is still owed, and a voided or deleted invoice
 * drops out of the promise; neither counts as a payment.
 */
import { addDays, daysBetween, isLocalDate, type LocalDate } from './calendar';
import { formatMoney, minorUnits, MoneyParseError, parseMoney, type Micros } from './money';

export type PromiseOutcome = 'active' | 'kept' | 'partially_kept' | 'broken' | 'cancelled';

export interface PromisableInvoice {
  id: string;
  customerId: string;
  number: string | null;
  status: string;
  balance: string;
  currency: string;
}

export interface PromiseProposal {
  invoiceIds: string[];
  amount: string;
  promisedDate: string;
}

export interface PromiseRules {
  customerId: string;
  /** The firm's local date today. */
  today: LocalDate;
  /** The latest date a promise may name is today + maxDays. */
  maxDays: number;
}

export type PromiseCheck =
  | {
      ok: true;
      /** The amount in the currency's minor units ("500.00"). */
      amount: string;
      currency: string;
      /** Sum of the chosen invoices' open balances. */
      openTotal: string;
      invoices: PromisableInvoice[];
    }
  | { ok: false; field: 'invoiceIds' | 'amount' | 'promisedDate'; message: string };

const label = (i: Pick<PromisableInvoice, 'number'>) => (i.number ? `#${i.number}` : 'without number');

/** The latest date a promise made today may name. */
export const latestPromiseDate = (today: LocalDate, maxDays: number): LocalDate => addDays(today, maxDays);

/**
 * Check a proposed promise against the customer's invoices (`known`: every invoice the caller
 * found by the proposed ids, of any customer; an id not among them does not exist).
 */
export function checkPromise(
  proposal: PromiseProposal,
  known: readonly PromisableInvoice[],
  rules: PromiseRules,
): PromiseCheck {
  const ids = [...new Set(proposal.invoiceIds)];
  if (ids.length === 0) return { ok: false, field: 'invoiceIds', message: 'choose at least one invoice' };
  const byId = new Map(known.map((i) => [i.id, i]));
  const chosen: PromisableInvoice[] = [];
  for (const id of ids) {
    const inv = byId.get(id);
    // another customer's invoice is as unknown as one that does not exist
    if (!inv || inv.customerId !== rules.customerId)
      return { ok: false, field: 'invoiceIds', message: 'one of the chosen invoices was not found' };
    if (inv.status !== 'open' || parseMoney(inv.balance) <= 0n)
      return { ok: false, field: 'invoiceIds', message: `invoice ${label(inv)} has nothing left to pay` };
    chosen.push(inv);
  }
  const currency = chosen[0]!.currency;
  if (chosen.some((i) => i.currency !== currency))
    return {
      ok: false,
      field: 'invoiceIds',
      message: 'choose invoices in one currency (make one promise per currency)',
    };
  const openTotal = chosen.reduce((s, i) => s + parseMoney(i.balance), 0n);

  const text = proposal.amount.trim().replace(/,/g, '');
  let amount: Micros;
  try {
    amount = parseMoney(text);
  } catch (e) {
    if (!(e instanceof MoneyParseError)) throw e;
    return { ok: false, field: 'amount', message: 'enter an amount such as 250.00' };
  }
  const decimals = /\.(\d+)$/.exec(text)?.[1]?.length ?? 0;
  const digits = minorUnits(currency);
  if (decimals > digits)
    return {
      ok: false,
      field: 'amount',
      message:
        digits === 0
          ? `${currency} amounts have no decimals`
          : `${currency} amounts have at most ${digits} decimals`,
    };
  if (amount <= 0n) return { ok: false, field: 'amount', message: 'the amount must be more than zero' };
  if (amount > openTotal)
    return {
      ok: false,
      field: 'amount',
      message: `the amount is more than the open balance of the chosen invoices (${currency} ${formatMoney(openTotal, currency)})`,
    };

  const date = proposal.promisedDate.trim();
  if (!isLocalDate(date)) return { ok: false, field: 'promisedDate', message: 'enter a date as YYYY-MM-DD' };
  if (date < rules.today) return { ok: false, field: 'promisedDate', message: 'the date is in the past' };
  const latest = latestPromiseDate(rules.today, rules.maxDays);
  if (date > latest)
    return {
      ok: false,
      field: 'promisedDate',
      message: `choose a date no later than ${latest} (${rules.maxDays} days from today)`,
    };
  return {
    ok: true,
    amount: formatMoney(amount, currency),
    currency,
    openTotal: formatMoney(openTotal, currency),
    invoices: chosen,
  };
}

export interface SettlementInvoice {
  balanceAtPromise: string;
  balanceNow: string;
  status: string;
  /** Credit applied to the invoice since the promise (credit notes): lowers what is owed, is not paid. */
  creditedSincePromise?: string;
}

export interface SettlementInput {
  amount: string;
  promisedDate: LocalDate;
  graceDays: number;
  invoices: readonly SettlementInvoice[];
}

export interface Settlement {
  status: PromiseOutcome;
  /** Paid against the promised invoices since the promise (micros, never negative). */
  paid: Micros;
  /** What the customer still had to pay to keep the promise when it was judged. */
  due: Micros;
}

const WITHDRAWN = new Set(['voided', 'deleted']);

/** The last day a promise still protects its invoices (its date plus the grace days). */
export const lastDayOfGrace = (promisedDate: LocalDate, graceDays: number): LocalDate =>
  addDays(promisedDate, graceDays);

/**
 * Where a promise stands on `today` (the firm's local date):
 * - kept as soon as the promised amount is paid, or every invoice still in it is paid off with
 *   something paid;
 * - cancelled when nothing is owed any more without anything paid (invoices voided or fully
 *   credited): neither kept nor broken;
 * - while `today` ≤ date + grace: active;
 * - after that: partially kept when something was paid, broken when nothing was.
 */
export function settlePromise(p: SettlementInput, today: LocalDate): Settlement {
  const live = p.invoices.filter((i) => !WITHDRAWN.has(i.status));
  let paid = 0n;
  let owed = 0n;
  let allPaidOff = live.length > 0;
  for (const inv of live) {
    const before = parseMoney(inv.balanceAtPromise);
    const credited = inv.creditedSincePromise ? parseMoney(inv.creditedSincePromise) : 0n;
    const now = parseMoney(inv.balanceNow);
    const owedHere = before - credited > 0n ? before - credited : 0n;
    const paidHere = owedHere - now;
    paid += paidHere > 0n ? (paidHere > owedHere ? owedHere : paidHere) : 0n;
    owed += owedHere;
    if (now > 0n && inv.status !== 'paid') allPaidOff = false;
  }
  const promised = parseMoney(p.amount);
  const due = promised < owed ? promised : owed;
  if (paid > 0n && (paid >= due || allPaidOff)) return { status: 'kept', paid, due };
  if (due === 0n) return { status: 'cancelled', paid, due };
  if (daysBetween(lastDayOfGrace(p.promisedDate, p.graceDays), today) <= 0)
    return { status: 'active', paid, due };
  return { status: paid > 0n ? 'partially_kept' : 'broken', paid, due };
}

/**
 * One promise's weight in the kept rate: kept 1, partially kept the share of the promised amount
 * paid (at most 1), broken 0; active and cancelled promises are not counted (null).
 */
export function keptScore(status: string, amount: string, amountPaid: string): number | null {
  if (status === 'kept') return 1;
  if (status === 'broken') return 0;
  if (status !== 'partially_kept') return null;
  const promised = parseMoney(amount);
  if (promised <= 0n) return 0;
  const paid = parseMoney(amountPaid);
  // 4 decimals of share, computed on integers
  const share = Number((paid * 10_000n) / promised) / 10_000;
  return Math.min(1, Math.max(0, share));
}
