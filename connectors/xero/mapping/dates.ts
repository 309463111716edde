/**
 * Xero dates come in two forms: the WCF `/Date(1563753600000+0000)/` (UTC milliseconds, with an
 * optional offset telling the zone the value belongs to) and ISO text, with or without a zone
 * ("2019-07-22T00:00:00", "2018-11-02T16:36:32Z", "2020-03-18T21:20:07.7179250").
 */
const WCF = /^\/Date\((-?\d+)([+-])?(\d{2})?(\d{2})?\)\/$/;
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

export class XeroDateError extends Error {
  override readonly name = 'XeroDateError';
}

interface Parsed {
  /** UTC instant in ms. */
  ms: number;
  /** The calendar date as written (in the value's own zone). */
  date: string;
}

function parse(value: string): Parsed {
  const s = value.trim();
  const w = WCF.exec(s);
  if (w) {
    const ms = Number(w[1]);
    const offsetMin = w[2] ? (w[2] === '-' ? -1 : 1) * (Number(w[3] ?? '0') * 60 + Number(w[4] ?? '0')) : 0;
    const local = new Date(ms + offsetMin * 60_000);
    if (Number.isNaN(local.getTime())) throw new XeroDateError(`not a date: ${value}`);
    return { ms, date: local.toISOString().slice(0, 10) };
  }
  const m = ISO.exec(s);
  if (m) {
    const [, y, mo, d, h = '00', mi = '00', sec = '00', frac = '', zone] = m;
    const date = `${y}-${mo}-${d}`;
    const msPart = (frac + '000').slice(0, 3);
    const z =
      zone === undefined || zone === 'Z'
        ? 'Z'
        : zone.length === 5
          ? `${zone.slice(0, 3)}:${zone.slice(3)}`
          : zone;
    const ms = Date.parse(`${date}T${h}:${mi}:${sec}.${msPart}${z}`);
    if (Number.isNaN(ms)) throw new XeroDateError(`not a date: ${value}`);
    const check = new Date(`${date}T00:00:00Z`);
    if (check.toISOString().slice(0, 10) !== date) throw new XeroDateError(`not a date: ${value}`);
    return { ms, date };
  }
  throw new XeroDateError(`not a Xero date: ${JSON.stringify(value)}`);
}

/** A date without time (`YYYY-MM-DD`), as the value's own calendar shows it. */
export function xeroDate(value: string): string {
  return parse(value).date;
}

/** A timestamp in ISO 8601 UTC. ISO text without a zone is UTC (Xero's `…UTC` fields). */
export function xeroTimestamp(value: string): string {
  return new Date(parse(value).ms).toISOString();
}

/** The WCF form Xero emits: `/Date(1563753600000+0000)/`. */
export function toXeroDate(ms: number): string {
  return `/Date(${ms}+0000)/`;
}

/** Midnight UTC of a `YYYY-MM-DD` as Xero writes a date. */
export function isoDateToXero(date: string): string {
  return toXeroDate(Date.parse(`${date}T00:00:00Z`));
}

/** `If-Modified-Since` value: UTC, second precision, ISO 8601 (the spec's `date-time`). */
export function ifModifiedSince(instant: Date | string): string {
  const d = typeof instant === 'string' ? new Date(instant) : instant;
  return d.toISOString().slice(0, 19) + 'Z';
}
