import { localDateOf, sendSlot, type LocalDate, type SendSlot } from '../calendar';
import type { PlannerCustomer, PlannerFirm } from './types';

/** Per-customer facts for one planning run, with memoised send slots (pure, no I/O). */
export interface CustomerClock {
  zone: string;
  hour: number;
  today: LocalDate;
  slot(date: LocalDate): SendSlot;
}

/**
 * `asOf` is an instant, or a date (YYYY-MM-DD) meaning "that calendar day" in every customer's zone
 * (what `duely plan --as-of DATE` asks for).
 */
export function createClockFactory(
  firm: PlannerFirm,
  asOf: Date | LocalDate,
): (c: PlannerCustomer) => CustomerClock {
  const slots = new Map<string, SendSlot>();
  const todays = new Map<string, LocalDate>();
  return (customer) => {
    const zone = customer.timezone ?? firm.timezone;
    const hour = customer.preferredHour ?? firm.sendRules.defaultHour;
    let today = todays.get(zone);
    if (today === undefined) {
      today = typeof asOf === 'string' ? asOf : localDateOf(asOf, zone);
      todays.set(zone, today);
    }
    return {
      zone,
      hour,
      today,
      slot(date) {
        const key = `${date}|${hour}|${zone}`;
        let s = slots.get(key);
        if (!s) {
          s = sendSlot(date, hour, zone, firm.country, firm.sendRules.quietHours);
          slots.set(key, s);
        }
        return s;
      },
    };
  };
}
