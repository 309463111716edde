import { normalizeMoney, parseMoney } from '../../../src/domain/money';

/** A rate as exact decimal text (no exponent), e.g. 0.612345. */
export function rateText(value: string | number): string {
  const micros10 = toScaled(value, 10);
  const neg = micros10 < 0n;
  const abs = neg ? -micros10 : micros10;
  const s = abs.toString().padStart(11, '0');
  const text = `${s.slice(0, -10)}.${s.slice(-10)}`.replace(/0+$/, '').replace(/\.$/, '');
  return (neg ? '-' : '') + text;
}

function toScaled(value: string | number, scale: number): bigint {
  const text = typeof value === 'number' ? numberText(value) : value.trim();
  const m = /^([+-])?(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) throw new Error(`not a decimal: ${JSON.stringify(value)}`);
  const frac = ((m[3] ?? '') + '0'.repeat(scale)).slice(0, scale);
  const v = BigInt((m[2] ?? '0') + frac);
  return m[1] === '-' ? -v : v;
}

function numberText(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`not a finite number: ${n}`);
  // toFixed(10) of a JSON number is exact enough for rates (Xero sends ≤ 6 decimals)
  return Math.abs(n) < 1e21 ? n.toFixed(10) : String(n);
}

/** amount ÷ rate, rounded half away from zero to 4 decimals, as canonical money. */
export function divideMoney(amount: string | number, rate: string | number): string {
  const a = parseMoney(amount); // 4 decimals
  const r = toScaled(rate, 10);
  if (r === 0n) throw new Error('currency rate is zero');
  const num = a * 10_000_000_000n * 2n;
  let q = num / r;
  q = q >= 0n ? (q + 1n) / 2n : (q - 1n) / 2n;
  return normalizeMoney(formatScaled(q));
}

function formatScaled(micros: bigint): string {
  const neg = micros < 0n;
  const abs = neg ? -micros : micros;
  return `${neg ? '-' : ''}${abs / 10_000n}.${(abs % 10_000n).toString().padStart(4, '0')}`;
}
