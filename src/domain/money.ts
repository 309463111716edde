/**
 * Money without floats. Amounts are held as bigint counts of 1/10_000 of a unit ("micros" of
 * four decimals, enough for every ISO 4217 currency) and shown with the currency's minor units.
 */
export type Micros = bigint;

const SCALE = 4;
const FACTOR = 10_000n;

const minorUnitsCache = new Map<string, number>();

/** ISO 4217 minor units: USD 2, JPY 0, KWD 3. Unknown codes default to 2. */
export function minorUnits(currency: string): number {
  const code = currency.toUpperCase();
  const cached = minorUnitsCache.get(code);
  if (cached !== undefined) return cached;
  let digits = 2;
  try {
    digits =
      new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions()
        .maximumFractionDigits ?? 2;
  } catch {
    digits = 2;
  }
  minorUnitsCache.set(code, digits);
  return digits;
}

export class MoneyParseError extends Error {
  override readonly name = 'MoneyParseError';
}

const DECIMAL = /^([+-])?(\d+)(?:\.(\d+))?$/;

/**
 * Parse a decimal string or a JSON number as the platform sent it. A JSON number is read from
 * its shortest round-trip text (what `JSON.parse` saw), so 0.1 + 0.2 errors never enter.
 * Digits beyond four decimals are rounded half away from zero.
 */
export function parseMoney(value: string | number): Micros {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new MoneyParseError(`not a finite amount: ${value}`);
    text = numberToPlainString(value);
  } else {
    text = value.trim();
  }
  const m = DECIMAL.exec(text);
  if (!m) throw new MoneyParseError(`not a decimal amount: ${JSON.stringify(value)}`);
  const sign = m[1] === '-' ? -1n : 1n;
  const whole = BigInt(m[2] ?? '0');
  const frac = m[3] ?? '';
  let fracMicros = BigInt((frac + '0000').slice(0, SCALE));
  const rest = frac.slice(SCALE);
  if (rest.length > 0 && rest.charCodeAt(0) >= 53 /* '5' */) fracMicros += 1n;
  return sign * (whole * FACTOR + fracMicros);
}

function numberToPlainString(n: number): string {
  const s = String(n);
  if (!/e/i.test(s)) return s;
  // exponent form (1e-7, 1e+21): expand without going through floats
  const [mant, expStr] = s.toLowerCase().split('e') as [string, string];
  const exp = Number(expStr);
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '');
  const [intPart, fracPart = ''] = digits.split('.') as [string, string?];
  const all = intPart + fracPart;
  const point = intPart.length + exp;
  let out: string;
  if (point <= 0) out = '0.' + '0'.repeat(-point) + all;
  else if (point >= all.length) out = all + '0'.repeat(point - all.length);
  else out = all.slice(0, point) + '.' + all.slice(point);
  return (neg ? '-' : '') + out;
}

/** Format with exactly the currency's minor units ("1234.50", "500" for JPY). */
export function formatMoney(micros: Micros, currency: string): string {
  const digits = minorUnits(currency);
  const rounded = roundToMinor(micros, digits);
  return toDecimalString(rounded, digits);
}

/** Canonical decimal string with trailing zeros trimmed ("12.5", "-3", "0"). */
export function toCanonical(micros: Micros): string {
  const s = toDecimalString(micros, SCALE);
  if (!s.includes('.')) return s;
  return s.replace(/0+$/, '').replace(/\.$/, '');
}

/** Convenience: platform value → canonical decimal string. */
export function normalizeMoney(value: string | number): string {
  return toCanonical(parseMoney(value));
}

function roundToMinor(micros: Micros, digits: number): Micros {
  const drop = BigInt(10 ** (SCALE - digits));
  if (drop === 1n) return micros;
  const neg = micros < 0n;
  const abs = neg ? -micros : micros;
  const q = (abs + drop / 2n) / drop;
  return (neg ? -q : q) * drop;
}

function toDecimalString(micros: Micros, digits: number): string {
  const neg = micros < 0n;
  const abs = neg ? -micros : micros;
  const whole = abs / FACTOR;
  const frac = (abs % FACTOR).toString().padStart(SCALE, '0').slice(0, digits);
  const sign = neg && (whole !== 0n || /[1-9]/.test(frac)) ? '-' : '';
  return digits > 0 ? `${sign}${whole}.${frac}` : `${sign}${whole}`;
}

export const addMoney = (...xs: Micros[]): Micros => xs.reduce((a, b) => a + b, 0n);

export function sumMoney(values: Iterable<string | number>): Micros {
  let total = 0n;
  for (const v of values) total += parseMoney(v);
  return total;
}

export function compareMoney(a: Micros, b: Micros): -1 | 0 | 1 {
  return a < b ? -1 : a > b ? 1 : 0;
}

export const isZero = (m: Micros) => m === 0n;
