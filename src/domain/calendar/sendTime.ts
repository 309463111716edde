import { DateTime } from 'luxon';
import { onOrNextBusinessDay } from './businessDays';
import { addDays, type LocalDate } from './localDate';

/** Hours in [start, end) of the local day when nothing is sent; start > end wraps midnight. */
export interface QuietHours {
  start: number;
  end: number;
}

export function isValidZone(zone: string): boolean {
  return DateTime.local().setZone(zone).isValid;
}

/** The calendar date of an instant in a time zone. */
export function localDateOf(instant: Date | string, zone: string): LocalDate {
  const dt = DateTime.fromJSDate(typeof instant === 'string' ? new Date(instant) : instant, { zone });
  if (!dt.isValid) throw new RangeError(`invalid instant or time zone: ${String(instant)} ${zone}`);
  return dt.toISODate() as LocalDate;
}

/**
 * The UTC instant of hour H (minute 0) on date D in zone Z. Correct across DST: 09:00 in New York
 * is 14:00Z in winter and 13:00Z in summer. An hour that does not exist (skipped by a spring-forward)
 * moves forward to the first valid local time.
 */
export function zonedInstant(date: LocalDate, hour: number, zone: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const dt = DateTime.fromObject({ year: y, month: m, day: d, hour, minute: 0 }, { zone });
  if (!dt.isValid) throw new RangeError(`invalid local time: ${date} ${hour}:00 ${zone}`);
  return dt.toJSDate();
}

export function isQuietHour(hour: number, quiet: QuietHours | null | undefined): boolean {
  if (!quiet || quiet.start === quiet.end) return false;
  return quiet.start < quiet.end
    ? hour >= quiet.start && hour < quiet.end
    : hour >= quiet.start || hour < quiet.end;
}

export interface SendSlot {
  date: LocalDate;
  hour: number;
  instant: Date;
}

/**
 * When to send on (or after) `date`: at `hour` in `zone`, on a business day, outside quiet hours.
 * An hour inside quiet hours moves to the end of the quiet period; when that is the next morning,
 * the send moves to the next business day at that hour.
 */
export function sendSlot(
  date: LocalDate,
  hour: number,
  zone: string,
  country: string,
  quiet?: QuietHours | null,
): SendSlot {
  let day = onOrNextBusinessDay(date, country);
  let h = hour;
  if (quiet && isQuietHour(h, quiet)) {
    const wrapsToTomorrow = quiet.start > quiet.end && h >= quiet.start;
    h = quiet.end;
    if (wrapsToTomorrow) day = onOrNextBusinessDay(addDays(day, 1), country);
  }
  return { date: day, hour: h, instant: zonedInstant(day, h, zone) };
}
