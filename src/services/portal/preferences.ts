/**
 * Contact preferences a customer may set in the portal (when the firm allows it): the channel
 * (e-mail, call, letter), contact hours from–to on chosen weekdays and the time zone. Saved to
 * the customer (preferred channel, hour and time zone the reminder planner follows) and to the
 * portal's contact (hours and zone for the clerk's calls); recorded on the timeline and audited.
 */
import { and, asc, desc, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { activities, contacts, customers, type Channel } from '../../db/schema';
import type { OrgScope } from '../../db/scope';
import { audit } from '../audit';
import { ForbiddenError, NotFoundError, ValidationError } from '../errors';

export const PORTAL_CHANNELS = ['email', 'call', 'letter'] as const;
export type PortalChannel = (typeof PORTAL_CHANNELS)[number];
export const WEEKDAYS = [
  { value: 1, label: 'Mon' },
  { value: 2, label: 'Tue' },
  { value: 3, label: 'Wed' },
  { value: 4, label: 'Thu' },
  { value: 5, label: 'Fri' },
  { value: 6, label: 'Sat' },
  { value: 7, label: 'Sun' },
] as const;

let zones: readonly string[] | null = null;
/** Every IANA time zone this runtime knows (plus UTC), sorted. */
export function timeZones(): readonly string[] {
  zones ??= [...new Set(['UTC', ...Intl.supportedValuesOf('timeZone')])].sort();
  return zones;
}
const isZone = (z: string) => timeZones().includes(z);

export interface PortalPreferences {
  channel: PortalChannel | null;
  hoursFrom: number;
  hoursTo: number;
  days: number[];
  timezone: string;
}

const hour = (label: string, min: number, max: number) =>
  z.coerce
    .number({ message: `${label} must be an hour` })
    .int(`${label} must be a whole hour`)
    .min(min, `${label} must be between ${min}:00 and ${max}:00`)
    .max(max, `${label} must be between ${min}:00 and ${max}:00`);

export const preferencesInput = z
  .object({
    channel: z.enum(PORTAL_CHANNELS, { message: 'Choose e-mail, phone call or letter' }),
    hoursFrom: hour('"From"', 0, 23),
    hoursTo: hour('"To"', 1, 24),
    days: z
      .preprocess(
        (v) => (v === undefined || v === null || v === '' ? [] : Array.isArray(v) ? v : [v]),
        z.array(z.string().regex(/^[1-7]$/, 'Unknown day')).min(1, 'Choose at least one day'),
      )
      .transform((d) => [...new Set(d.map(Number))].sort((a, b) => a - b)),
    timezone: z
      .string({ message: 'Choose a time zone' })
      .trim()
      .refine(isZone, 'Choose a time zone from the list'),
  })
  .refine((p) => p.hoursTo > p.hoursFrom, {
    message: 'Contact hours must end after they start',
    path: ['hoursTo'],
  });

export interface PortalPreferencesView {
  values: PortalPreferences;
  contact: { id: string; name: string | null; email: string | null } | null;
}

/** Current preferences: the contact's hours, else sensible defaults in the firm's time zone. */
export async function getPortalPreferences(
  scope: OrgScope,
  p: { customerId: string; contactId: string | null; firmTimezone: string },
): Promise<PortalPreferencesView> {
  const customer = await scope.findById(customers, p.customerId);
  if (!customer) throw new NotFoundError('customer');
  const contact = await portalContact(scope, p.customerId, p.contactId);
  const channel = (contact?.preferredChannel ?? customer.preferredChannel) as Channel | null;
  const hours = contact?.contactHours ?? null;
  const from = hours?.from ?? customer.preferredHour ?? 9;
  return {
    values: {
      channel:
        channel && (PORTAL_CHANNELS as readonly string[]).includes(channel)
          ? (channel as PortalChannel)
          : null,
      hoursFrom: from,
      hoursTo: hours?.to ?? Math.min(24, Math.max(from + 1, 17)),
      days: hours?.days?.length ? hours.days : [1, 2, 3, 4, 5],
      timezone: contact?.timezone ?? customer.timezone ?? p.firmTimezone,
    },
    contact: contact ? { id: contact.id, name: contact.name, email: contact.email } : null,
  };
}

/**
 * Validate and save. Bad input is a ValidationError naming the field and changes nothing; a firm
 * that does not allow updates gets a ForbiddenError.
 */
export async function updatePortalPreferences(
  scope: OrgScope,
  p: { customerId: string; contactId: string | null; allowed: boolean },
  input: Record<string, unknown>,
  now: Date,
): Promise<{ values: PortalPreferences; changed: string[] }> {
  if (!p.allowed)
    throw new ForbiddenError('contact preferences are managed by the firm; please contact them');
  const parsed = preferencesInput.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ValidationError(issue.message, String(issue.path[0] ?? '') || undefined);
  }
  const v = parsed.data;
  return scope.transaction(async (tx) => {
    const customer = await tx.findById(customers, p.customerId);
    if (!customer) throw new NotFoundError('customer');
    const contact = await portalContact(tx, p.customerId, p.contactId);
    const changed: string[] = [];
    if (customer.preferredChannel !== v.channel) changed.push('channel');
    if (customer.timezone !== v.timezone || (contact && contact.timezone !== v.timezone))
      changed.push('timezone');
    const oldHours = contact?.contactHours;
    if (
      customer.preferredHour !== v.hoursFrom ||
      (contact &&
        (oldHours?.from !== v.hoursFrom ||
          oldHours?.to !== v.hoursTo ||
          (oldHours?.days ?? []).join(',') !== v.days.join(',')))
    )
      changed.push('hours');
    await tx.update(
      customers,
      { preferredChannel: v.channel, preferredHour: v.hoursFrom, timezone: v.timezone, updatedAt: now },
      eq(customers.id, p.customerId),
    );
    if (contact)
      await tx.update(
        contacts,
        {
          preferredChannel: v.channel,
          contactHours: { from: v.hoursFrom, to: v.hoursTo, days: v.days },
          timezone: v.timezone,
          updatedAt: now,
        },
        eq(contacts.id, contact.id),
      );
    const values: PortalPreferences = {
      channel: v.channel,
      hoursFrom: v.hoursFrom,
      hoursTo: v.hoursTo,
      days: v.days,
      timezone: v.timezone,
    };
    if (changed.length) {
      await tx.insert(activities, {
        customerId: p.customerId,
        kind: 'preferences.updated',
        actorType: 'customer',
        data: { source: 'portal', fields: changed, ...values, contactId: contact?.id ?? null },
      });
      await audit(
        tx,
        { type: 'customer', id: p.customerId },
        'customer.preferences_updated',
        { type: 'customer', id: p.customerId },
        { source: 'portal', fields: changed },
      );
    }
    return { values, changed };
  });
}

/** The link's contact, else the customer's primary (or first) billing contact still on file. */
async function portalContact(scope: OrgScope, customerId: string, contactId: string | null) {
  if (contactId) {
    const [own] = await scope.select(
      contacts,
      eq(contacts.id, contactId),
      eq(contacts.customerId, customerId),
      isNull(contacts.erasedAt),
    );
    if (own) return own;
  }
  const [fallback] = await scope.db
    .select()
    .from(contacts)
    .where(
      and(
        scope.where(contacts, eq(contacts.customerId, customerId), isNull(contacts.erasedAt)),
        eq(contacts.role, 'billing'),
      ),
    )
    .orderBy(desc(contacts.isPrimary), asc(contacts.createdAt))
    .limit(1);
  return fallback ?? null;
}
