/**
 * Pure rules of paying invoices online: which amounts may be paid for which invoices, and how an
 * amount becomes the integer "smallest unit" a card processor (Stripe) charges. No I/O.
 */
import { compareMoney, formatMoney, minorUnits, parseMoney, type Micros } from './money';

/** Currencies Stripe charges without decimals (its "zero-decimal" list). */
const STRIPE_ZERO_DECIMAL = new Set([
  'BIF',
  'CLP',
  'DJF',
  'GNF',
  'JPY',
  'KMF',
  'KRW',
  'MGA',
  'PYG',
  'RWF',
  'UGX',
  'VND',
  'VUV',
  'XAF',
  'XOF',
  'XPF',
]);
/** Stripe takes three decimals for these but only charges whole hundredths (last digit 0). */
const STRIPE_THREE_DECIMAL = new Set(['BHD', 'JOD', 'KWD', 'OMR', 'TND']);

/** Smallest charge Stripe accepts, per settlement currency (others: left to Stripe to judge). */
const STRIPE_MINIMUM: Record<string, string> = {
  USD: '0.50',
  EUR: '0.50',
  GBP: '0.30',
  CAD: '0.50',
  AUD: '0.50',
  NZD: '0.50',
  CHF: '0.50',
  SGD: '0.50',
  HKD: '4.00',
  DKK: '2.50',
  NOK: '3.00',
  SEK: '3.00',
  MXN: '10',
  JPY: '50',
};

/** Decimals of Stripe's integer amounts for a currency (2 unless zero- or three-decimal). */
export function stripeDecimals(currency: string): number {
  const c = currency.toUpperCase();
  if (STRIPE_ZERO_DECIMAL.has(c)) return 0;
  if (STRIPE_THREE_DECIMAL.has(c)) return 3;
  return 2;
}

/** The amount as Stripe's integer count of the currency's smallest unit ("120.50" USD → 12050). */
export function toStripeAmount(micros: Micros, currency: string): number {
  const decimals = stripeDecimals(currency);
  const divisor = 10n ** BigInt(4 - decimals);
  if (micros % divisor !== 0n)
    throw new RangeError(`${currency} amount has more decimals than Stripe charges`);
  if (decimals === 3 && micros % 100n !== 0n)
    throw new RangeError(`${currency} amounts are charged in whole hundredths`);
  const n = micros / divisor;
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('amount too large');
  return Number(n);
}

/** Stripe's integer amount back to micros (12050 USD → 1205000n, i.e. "120.50"). */
export function fromStripeAmount(amount: number, currency: string): Micros {
  return BigInt(amount) * 10n ** BigInt(4 - stripeDecimals(currency));
}

export interface PayableInvoice {
  id: string;
  number: string | null;
  currency: string;
  balance: string;
  status: string;
}

export interface AllocationInput {
  invoiceId: string;
  amount: string;
}

export interface CheckedAllocation {
  invoice: PayableInvoice;
  micros: Micros;
  /** The amount with the currency's minor units ("120.50"). */
  amount: string;
  stripeAmount: number;
}

export type AllocationCheck =
  | { ok: true; currency: string; total: Micros; lines: CheckedAllocation[] }
  | { ok: false; field: string; message: string };

const label = (inv: PayableInvoice) => (inv.number ? `invoice ${inv.number}` : 'the invoice');
const AMOUNT = /^\d+(\.\d+)?$/;
const GROUPED = /^\d{1,3}(,\d{3})+(\.\d+)?$/;

/** "1,200.50" or " 1200.5 " → "1200.5"; anything else → null. */
export function normaliseAmountInput(raw: string): string | null {
  const s = raw.trim().replace(/^[$€£]\s*/, '');
  if (AMOUNT.test(s)) return s;
  if (GROUPED.test(s)) return s.replace(/,/g, '');
  return null;
}

/** "USD 1,234.50" for messages. */
export function showMoney(micros: Micros, currency: string): string {
  const [int = '0', frac] = formatMoney(micros, currency).split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${currency.toUpperCase()} ${grouped}${frac !== undefined ? `.${frac}` : ''}`;
}

/**
 * Check what a customer asked to pay against their open invoices (`invoices` holds only this
 * customer's invoices): each invoice once, open, an amount above zero and at most its balance
 * with no more decimals than the currency has, one currency, a total Stripe can charge.
 * The first problem is returned with the form field it belongs to.
 */
export function checkAllocations(
  invoices: ReadonlyMap<string, PayableInvoice>,
  allocations: readonly AllocationInput[],
): AllocationCheck {
  if (allocations.length === 0)
    return { ok: false, field: 'allocations', message: 'choose an invoice to pay' };
  const seen = new Set<string>();
  const lines: CheckedAllocation[] = [];
  for (const [i, a] of allocations.entries()) {
    const inv = invoices.get(a.invoiceId);
    if (!inv) return { ok: false, field: `allocations.${i}.invoiceId`, message: 'no such open invoice' };
    if (seen.has(inv.id))
      return { ok: false, field: `allocations.${i}.invoiceId`, message: `${label(inv)} is listed twice` };
    seen.add(inv.id);
    if (inv.status !== 'open')
      return {
        ok: false,
        field: `allocations.${i}.invoiceId`,
        message: `${label(inv)} is ${inv.status === 'paid' ? 'already paid' : 'no longer open'}`,
      };
    const field = `allocations.${i}.amount`;
    const text = normaliseAmountInput(a.amount);
    if (text === null)
      return { ok: false, field, message: `enter the amount for ${label(inv)} as a number, e.g. 120.50` };
    const digits = minorUnits(inv.currency);
    // "120.500" is 120.50; "120.505" has a digit the currency does not have
    const beyond = (text.split('.')[1] ?? '').slice(digits);
    if (/[1-9]/.test(beyond))
      return {
        ok: false,
        field,
        message:
          digits === 0
            ? `${inv.currency} amounts have no decimals`
            : `${inv.currency} amounts have at most ${digits} decimals`,
      };
    const micros = parseMoney(text);
    if (micros <= 0n)
      return { ok: false, field, message: `the amount for ${label(inv)} must be more than zero` };
    const balance = parseMoney(inv.balance);
    if (compareMoney(micros, balance) > 0)
      return {
        ok: false,
        field,
        message: `the amount for ${label(inv)} is more than its balance of ${showMoney(balance, inv.currency)}`,
      };
    let stripeAmount: number;
    try {
      stripeAmount = toStripeAmount(micros, inv.currency);
    } catch {
      return {
        ok: false,
        field,
        message: `${inv.currency} amounts are paid online in whole hundredths (the last decimal is 0)`,
      };
    }
    lines.push({ invoice: inv, micros, amount: formatMoney(micros, inv.currency), stripeAmount });
  }
  const currencies = [...new Set(lines.map((l) => l.invoice.currency.toUpperCase()))];
  if (currencies.length > 1)
    return {
      ok: false,
      field: 'allocations',
      message: `pay invoices of one currency at a time (${currencies.join(' and ')} chosen)`,
    };
  const currency = currencies[0]!;
  const total = lines.reduce((s, l) => s + l.micros, 0n);
  const minimum = STRIPE_MINIMUM[currency];
  if (minimum && total < parseMoney(minimum))
    return {
      ok: false,
      field: 'allocations',
      message: `online payments start at ${showMoney(parseMoney(minimum), currency)}`,
    };
  return { ok: true, currency, total, lines };
}
