/**
 * Save what a call learned about a customer's preferences: the channel and send hour and time zone
 * on the customer (the planner follows them), the AP contact as a contact of the customer kept by
 * Duely (reminders then go to it; a sync never overwrites it), the AP payment policy and remarks on
 * the customer's profile. Runs inside the caller's transaction.
 */
import { and, eq } from 'drizzle-orm';
import { activities, contacts, customers } from '../../db/schema';
import type { OrgScope } from '../../db/scope';
import { apContactLine, hasPreferences, type Preferences } from '../../domain/onboarding/preferences';
import { audit, type Actor } from '../audit';
import { planSoon } from '../reminders/due';
import { NotFoundError } from '../errors';

/** The contact the introductory call records (one per customer, updated by later calls). */
export const AP_CONTACT_KEY = 'duely:ap';

export async function savePreferences(
  tx: OrgScope,
  customerId: string,
  prefs: Preferences,
  actor: Actor,
  source: { taskId?: string } = {},
): Promise<boolean> {
  if (!hasPreferences(prefs)) return false;
  const customer = await tx.findById(customers, customerId);
  if (!customer) throw new NotFoundError('customer');
  const now = new Date();

  const set: Partial<typeof customers.$inferInsert> = { updatedAt: now };
  if (prefs.channel) set.preferredChannel = prefs.channel;
  if (prefs.hoursFrom !== undefined) set.preferredHour = prefs.hoursFrom;
  if (prefs.timezone !== undefined) set.timezone = prefs.timezone;
  const apLine = apContactLine(prefs);
  const profile = { ...customer.profile };
  if (apLine) profile.apContact = apLine;
  if (prefs.apPaymentPolicy !== undefined) profile.apPaymentPolicy = prefs.apPaymentPolicy;
  if (prefs.remarks !== undefined) profile.remarks = prefs.remarks;
  set.profile = profile;
  await tx.update(customers, set, eq(customers.id, customerId));

  if (prefs.apContactName || prefs.apContactEmail || prefs.apContactPhone) {
    const fields = {
      name: prefs.apContactName ?? null,
      email: prefs.apContactEmail ?? null,
      phone: prefs.apContactPhone ?? null,
      role: 'ap' as const,
      preferredChannel: prefs.channel ?? null,
      contactHours:
        prefs.hoursFrom !== undefined && prefs.hoursTo !== undefined
          ? { from: prefs.hoursFrom, to: prefs.hoursTo, days: [1, 2, 3, 4, 5] }
          : null,
      timezone: prefs.timezone ?? customer.timezone ?? null,
      updatedAt: now,
    };
    const [existing] = await tx.select(
      contacts,
      and(eq(contacts.customerId, customerId), eq(contacts.externalKey, AP_CONTACT_KEY)),
    );
    if (existing) await tx.update(contacts, fields, eq(contacts.id, existing.id));
    else
      await tx.insert(contacts, {
        ...fields,
        customerId,
        externalKey: AP_CONTACT_KEY,
        source: 'duely',
        isPrimary: false,
      });
  }

  // the planner follows the new channel, hour and zone from the next sweep on
  await planSoon(tx.db, tx.organizationId, { customerId });

  const changed = Object.keys(prefs).filter((k) => prefs[k as keyof Preferences] !== undefined);
  await tx.insert(activities, {
    customerId,
    kind: 'preferences.updated',
    actorType: actor.type === 'user' ? 'user' : 'system',
    actorUserId: actor.type === 'user' ? actor.id : null,
    data: { fields: changed, ...(source.taskId ? { taskId: source.taskId } : {}) },
  });
  await audit(
    tx,
    actor,
    'customer.preferences_updated',
    { type: 'customer', id: customerId },
    { fields: changed },
  );
  return true;
}
