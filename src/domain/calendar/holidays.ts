import Holidays from 'date-holidays';
import { yearOf, type LocalDate } from './localDate';

/** Holiday types that close a business: public holidays and bank holidays. */
const CLOSING_TYPES = new Set(['public', 'bank']);

const cache = new Map<string, ReadonlySet<LocalDate>>();

/**
 * The firm's non-working holidays for one year. `country` is an ISO 3166 code, optionally with
 * a state or region ("US", "GB", "DE-BY"). Computed once per country and year.
 */
export function holidaysOf(country: string, year: number): ReadonlySet<LocalDate> {
  const key = `${country.toUpperCase()}:${year}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const [c, state, region] = country.toUpperCase().split('-');
  const hd = new Holidays();
  const dates = new Set<LocalDate>();
  if (c && hd.getCountries()[c]) {
    if (region) hd.init(c, state ?? '', region);
    else if (state) hd.init(c, state);
    else hd.init(c);
    for (const h of hd.getHolidays(year)) {
      if (CLOSING_TYPES.has(h.type)) dates.add(h.date.slice(0, 10));
    }
  }
  cache.set(key, dates);
  return dates;
}

export function isHoliday(date: LocalDate, country: string): boolean {
  return holidaysOf(country, yearOf(date)).has(date);
}
