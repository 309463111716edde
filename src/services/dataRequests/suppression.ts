/**
 * Keeping an erased contact erased when the books send it again.
 *
 * A contact synced from QuickBooks or Xero comes back with every sync. Erasure keeps the contact
 * row (with `erased_at`) under a key derived from its old one by SHA-256, so the next sync
 * recognises the same person without Duely holding the address: ingest maps an incoming contact
 * whose key hashes to an erased one onto that row, and never refills its personal fields. The
 * same goes for the customer's own e-mail/phone when they were the erased person's: their hashes
 * are kept in `customers.profile.erased` and a sync leaves those fields empty. (A hash of an
 * address is pseudonymous, kept only as the suppression list that honours the request; the firm
 * should also remove the person from its books, which Duely cannot do for it.)
 */
import crypto from 'node:crypto';
import { and, eq, inArray, isNotNull, like, sql, type SQL } from 'drizzle-orm';
import type { Queryable } from '../../db/client';
import { contacts, customers } from '../../db/schema';

export const ERASED_KEY_PREFIX = 'erased:';

/** SHA-256 (hex) of a normalised identifier: trimmed, lower case. */
export function hashIdentifier(value: string): string {
  return crypto.createHash('sha256').update(value.trim().toLowerCase(), 'utf8').digest('hex');
}

/** The key an erased contact keeps instead of its old one (which may hold the address). */
export function erasedContactKey(externalKey: string): string {
  return ERASED_KEY_PREFIX + crypto.createHash('sha256').update(externalKey, 'utf8').digest('hex');
}

/** What `customers.profile.erased` holds. */
export interface ErasedIdentifiers {
  emails?: string[];
  phones?: string[];
}

/** Digits only (a phone number written two ways is the same number). */
export const phoneKey = (phone: string): string => phone.replace(/\D/g, '');

/**
 * Ingest: point incoming contacts of erased people at their erased rows (by key hash), so the
 * upsert hits the erased row (whose personal fields it never refills) instead of adding the person
 * again. One query for the batch, reading only erased rows of the batch's customers.
 */
export async function keepErasedContactsErased<
  R extends { customerId?: string; externalKey?: string | null },
>(db: Queryable, organizationId: string, rows: R[]): Promise<R[]> {
  const customerIds = [...new Set(rows.map((r) => r.customerId).filter((x): x is string => !!x))];
  if (!customerIds.length) return rows;
  const erased = await db
    .select({ customerId: contacts.customerId, key: contacts.externalKey })
    .from(contacts)
    .where(
      and(
        eq(contacts.organizationId, organizationId),
        inArray(contacts.customerId, customerIds),
        isNotNull(contacts.erasedAt),
        like(contacts.externalKey, `${ERASED_KEY_PREFIX}%`),
      ),
    );
  if (!erased.length) return rows;
  const known = new Set(erased.map((e) => `${e.customerId}|${e.key}`));
  return rows.map((r) => {
    if (!r.customerId || !r.externalKey) return r;
    const hashed = erasedContactKey(r.externalKey);
    return known.has(`${r.customerId}|${hashed}`) ? { ...r, externalKey: hashed } : r;
  });
}

/**
 * Ingest's `on conflict` assignments for the customer's e-mail and phone: the incoming value,
 * unless it hashes to one the customer's erased identifiers hold.
 */
export function customerContactFieldsOnSync(): Record<'email' | 'phone', SQL> {
  const hashOf = (v: SQL) => sql`encode(sha256(convert_to(${v}, 'UTF8')), 'hex')`;
  return {
    email: sql`case when excluded.email is not null
                     and coalesce(${customers.profile}->'erased'->'emails', '[]'::jsonb)
                         ? ${hashOf(sql`lower(trim(excluded.email))`)}
                    then null else excluded.email end`,
    phone: sql`case when excluded.phone is not null
                     and coalesce(${customers.profile}->'erased'->'phones', '[]'::jsonb)
                         ? ${hashOf(sql`regexp_replace(excluded.phone, '\\D', '', 'g')`)}
                    then null else excluded.phone end`,
  };
}
