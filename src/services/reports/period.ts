import { eq } from 'drizzle-orm';
import { organizations } from '../../db/schema';
import type { OrgScope } from '../../db/scope';
import { addDays, isLocalDate, type LocalDate } from '../../domain/calendar/localDate';
import { localDateOf } from '../../domain/calendar/sendTime';
import { NotFoundError, ValidationError } from '../errors';

export interface FirmBasics {
  timezone: string;
  baseCurrency: string;
  /** Today in the firm's time zone. */
  today: LocalDate;
}

/** The firm's time zone, base currency and local date: what every report is computed in. */
export async function firmBasics(scope: OrgScope, now: Date): Promise<FirmBasics> {
  const [org] = await scope.db
    .select({ timezone: organizations.timezone, baseCurrency: organizations.baseCurrency })
    .from(organizations)
    .where(eq(organizations.id, scope.organizationId))
    .limit(1);
  if (!org) throw new NotFoundError('organization');
  return { ...org, today: localDateOf(now, org.timezone) };
}

/** A date given by a caller: YYYY-MM-DD and a real calendar day, or a 400 naming the field. */
export function requireDate(value: string, field: string): LocalDate {
  if (!isLocalDate(value))
    throw new ValidationError(`must be a date written YYYY-MM-DD, got "${value}"`, field);
  return value;
}

/** First day of the month of `d`. */
export const monthStart = (d: LocalDate): LocalDate => `${d.slice(0, 7)}-01`;

/** The first day of the month `n` months after (or before) the month starting on `start`. */
export function addMonths(start: LocalDate, n: number): LocalDate {
  const y = Number(start.slice(0, 4));
  const m = Number(start.slice(5, 7)) - 1 + n;
  const date = new Date(Date.UTC(y + Math.floor(m / 12), ((m % 12) + 12) % 12, 1));
  return date.toISOString().slice(0, 10);
}

/** Last day of the month of `d`. */
export const monthEnd = (d: LocalDate): LocalDate => addDays(addMonths(monthStart(d), 1), -1);
