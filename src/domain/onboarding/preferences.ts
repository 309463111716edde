/**
 * What the introductory call learns about how a customer wants to be reached and pays: the
 * preferred channel, contact hours and time zone, the AP contact and the AP payment policy.
 */
import { z } from 'zod';
import { isValidZone } from '../calendar';

const hour = z.coerce.number().int().min(0, 'an hour from 0 to 23').max(23, 'an hour from 0 to 23');
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `at most ${max} characters`)
    .transform((s) => (s === '' ? null : s))
    .nullable()
    .optional();

export const preferencesSchema = z
  .strictObject({
    channel: z
      .enum(['email', 'call', 'letter'], { message: 'channel must be email, call or letter' })
      .optional(),
    /** Contact hours in the customer's zone, [from, to) local hours. */
    hoursFrom: hour.optional(),
    hoursTo: hour.optional(),
    timezone: z
      .string()
      .trim()
      .refine((s) => s === '' || isValidZone(s), 'not a known time zone (use Area/City, e.g. Europe/Berlin)')
      .transform((s) => (s === '' ? null : s))
      .optional(),
    apContactName: optionalText(200),
    apContactEmail: z
      .string()
      .trim()
      .max(320)
      .refine((s) => s === '' || /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s), 'not an e-mail address')
      .transform((s) => (s === '' ? null : s))
      .optional(),
    apContactPhone: optionalText(50),
    apPaymentPolicy: optionalText(1000),
    remarks: optionalText(2000),
  })
  .refine(
    (p) => (p.hoursFrom === undefined) === (p.hoursTo === undefined),
    'give both ends of the contact hours (from and to)',
  )
  .refine(
    (p) => p.hoursFrom === undefined || p.hoursTo === undefined || p.hoursFrom < p.hoursTo,
    'contact hours must end after they start',
  );

export type Preferences = z.infer<typeof preferencesSchema>;

/** "Jane Doe <ap@acme.example>, +1 555 0100" — the profile's one-line AP contact. */
export function apContactLine(p: Preferences): string | null {
  const email = p.apContactEmail ? `<${p.apContactEmail}>` : null;
  const parts = [[p.apContactName, email].filter(Boolean).join(' '), p.apContactPhone ?? ''].filter(
    (s) => s !== '',
  );
  return parts.length ? parts.join(', ') : null;
}

/** True when the payload says anything at all. */
export function hasPreferences(p: Preferences): boolean {
  return Object.values(p).some((v) => v !== undefined && v !== null);
}
