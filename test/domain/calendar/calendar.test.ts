import {
  addBusinessDays,
  addDays,
  daysBetween,
  holidaysOf,
  isBusinessDay,
  isLocalDate,
  localDateOf,
  nextBusinessDay,
  onOrNextBusinessDay,
  sendSlot,
  zonedInstant,
} from '../../../src/domain/calendar';

describe('calendar', () => {
  it('adds calendar days across month, year and leap-day boundaries', () => {
    expect(addDays('2026-01-31', 1)).toBe('2026-02-01');
    expect(addDays('2026-12-30', 3)).toBe('2027-01-02');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
    expect(daysBetween('2026-03-01', '2026-03-31')).toBe(30);
  });

  it('validates dates', () => {
    expect(isLocalDate('2026-02-29')).toBe(false);
    expect(isLocalDate('2028-02-29')).toBe(true);
    expect(() => addDays('29/02/2028', 1)).toThrow(/not a date/);
  });

  it('knows weekends and the country’s public holidays', () => {
    expect(isBusinessDay('2026-06-13', 'US')).toBe(false); // Saturday
    expect(isBusinessDay('2026-11-26', 'US')).toBe(false); // Thanksgiving
    expect(isBusinessDay('2026-11-26', 'GB')).toBe(true);
    expect(isBusinessDay('2026-12-28', 'GB')).toBe(false); // Boxing Day substitute
    expect(isBusinessDay('2026-02-14', 'US')).toBe(false); // Saturday anyway
    expect(isBusinessDay('2026-04-15', 'US')).toBe(true); // Tax Day is an observance, not a holiday
  });

  it('moves to the next business day across Christmas in GB', () => {
    expect(onOrNextBusinessDay('2026-12-25', 'GB')).toBe('2026-12-29');
    expect(nextBusinessDay('2026-12-24', 'GB')).toBe('2026-12-29');
    expect(addBusinessDays('2026-12-23', 2, 'GB')).toBe('2026-12-29');
  });

  it('caches holidays per country and year, and an unknown country has none', () => {
    expect(holidaysOf('US', 2026)).toBe(holidaysOf('us', 2026));
    expect(holidaysOf('ZZ', 2026).size).toBe(0);
    expect(holidaysOf('DE-BY', 2026).has('2026-01-06')).toBe(true); // Epiphany in Bavaria
  });

  it('places hour H in zone Z correctly on both sides of DST', () => {
    expect(zonedInstant('2026-03-07', 9, 'America/New_York').toISOString()).toBe('2026-03-07T14:00:00.000Z');
    expect(zonedInstant('2026-03-08', 9, 'America/New_York').toISOString()).toBe('2026-03-08T13:00:00.000Z');
    expect(zonedInstant('2026-03-29', 9, 'Europe/London').toISOString()).toBe('2026-03-29T08:00:00.000Z');
    // 02:30 does not exist on 8 March in New York: it moves forward.
    expect(zonedInstant('2026-03-08', 2, 'America/New_York').toISOString()).toBe('2026-03-08T07:00:00.000Z');
    expect(() => zonedInstant('2026-03-08', 9, 'Mars/Olympus')).toThrow(/invalid local time/);
  });

  it('gives the local date of an instant', () => {
    expect(localDateOf('2026-06-12T03:00:00Z', 'America/Los_Angeles')).toBe('2026-06-11');
    expect(localDateOf('2026-06-12T03:00:00Z', 'Asia/Tokyo')).toBe('2026-06-12');
  });

  it('moves a send out of quiet hours', () => {
    const quiet = { start: 20, end: 8 };
    expect(sendSlot('2026-06-12', 9, 'UTC', 'US', quiet)).toMatchObject({ date: '2026-06-12', hour: 9 });
    expect(sendSlot('2026-06-12', 7, 'UTC', 'US', quiet)).toMatchObject({ date: '2026-06-12', hour: 8 });
    expect(sendSlot('2026-06-12', 21, 'UTC', 'US', quiet)).toMatchObject({ date: '2026-06-15', hour: 8 });
    expect(sendSlot('2026-06-12', 13, 'UTC', 'US', { start: 12, end: 14 })).toMatchObject({ hour: 14 });
  });
});
