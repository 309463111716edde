import { isHoliday } from './holidays';
import { addDays, isoWeekday, type LocalDate } from './localDate';

/** Monday to Friday and not a public or bank holiday of the firm's country. */
export function isBusinessDay(date: LocalDate, country: string): boolean {
  return isoWeekday(date) <= 5 && !isHoliday(date, country);
}

/** The date itself when it is a business day, else the next business day. */
export function onOrNextBusinessDay(date: LocalDate, country: string): LocalDate {
  let d = date;
  // A year never has more than a couple of weeks of consecutive closed days.
  for (let i = 0; i < 31 && !isBusinessDay(d, country); i++) d = addDays(d, 1);
  return d;
}

/** The first business day strictly after `date`. */
export function nextBusinessDay(date: LocalDate, country: string): LocalDate {
  return onOrNextBusinessDay(addDays(date, 1), country);
}

/** Move `n` business days forward (n ≥ 0); n = 0 gives the date or the next business day. */
export function addBusinessDays(date: LocalDate, n: number, country: string): LocalDate {
  let d = onOrNextBusinessDay(date, country);
  for (let i = 0; i < n; i++) d = nextBusinessDay(d, country);
  return d;
}
