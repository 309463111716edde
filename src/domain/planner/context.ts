import { addDays, localDateOf, sendSlot, type LocalDate, type SendSlot } from '../calendar';
import type { PlannerCustomer, PlannerFirm } from './types';

/** Per-customer facts for one planning run, with memoised send slots (pure, no I/O). */
export interface CustomerClock {
  zone: string;
  hour: number;
  today: LocalDate;
  slot(date: LocalDate): SendSlot;
  /** The slot of a step `offsetDays` after `anchor` (memoised: many invoices share a due date). */
  stepSlot(anchor: LocalDate, offsetDays: number): SendSlot;
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
  const stepSlots = new Map<string, Map<string, SendSlot>>();
  return (customer) => {
    const zone = customer.timezone ?? firm.timezone;
    const hour = customer.preferredHour ?? firm.sendRules.defaultHour;
    let today = todays.get(zone);
    if (today === undefined) {
      today = typeof asOf === 'string' ? asOf : localDateOf(asOf, zone);
      todays.set(zone, today);
    }
    const slot = (date: LocalDate): SendSlot => {
      const key = `${date}|${hour}|${zone}`;
      let s = slots.get(key);
      if (!s) {
        s = sendSlot(date, hour, zone, firm.country, firm.sendRules.quietHours);
        slots.set(key, s);
      }
      return s;
    };
    let mine = stepSlots.get(`${hour}|${zone}`);
    if (!mine) {
      mine = new Map();
      stepSlots.set(`${hour}|${zone}`, mine);
    }
    const memo = mine;
    return {
      zone,
      hour,
      today,
      slot,
      stepSlot(anchor, offsetDays) {
        const key = `${anchor}|${offsetDays}`;
        let s = memo.get(key);
        if (!s) {
          s = slot(addDays(anchor, offsetDays));
          memo.set(key, s);
        }
        return s;
      },
    };
  };
}
