/**
 * Phone numbers to call, and the ones found wrong. A number reported as a wrong number on a call
 * task is recorded as an activity (`phone.unusable`, with its digits): the customer and contact
 * rows belong to the sync, which would bring the number back, so the mark lives beside them. The
 * task queue no longer offers that number and the planner no longer counts it as a way to reach
 * the customer; a different number (synced or entered) is usable again.
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Queryable } from '../../db/client';
import { activities } from '../../db/schema';
import type { OrgScope } from '../../db/scope';

export const PHONE_UNUSABLE = 'phone.unusable';

export const phoneDigits = (phone: string): string => phone.replace(/\D/g, '');

export interface PhoneOption {
  phone: string;
  /** Contact name, or null for the customer's own number. */
  name: string | null;
  usable: boolean;
}

/** Every known number per customer (the customer's own first, then its contacts), marked usable or not. */
export async function phonesOf(
  db: Queryable,
  organizationId: string,
  customerIds: readonly string[],
): Promise<Map<string, PhoneOption[]>> {
  const out = new Map<string, PhoneOption[]>();
  if (customerIds.length === 0) return out;
  const ids = JSON.stringify([...new Set(customerIds)]);
  const rows = await queryRows<{ customerId: string; phone: string; name: string | null; rank: number }>(
    db,
    sql`select c.id as "customerId", c.phone, null as name, 0 as rank
          from customers c
         where c.organization_id = ${organizationId} and c.phone is not null
           and c.id in (select (jsonb_array_elements_text(${ids}::jsonb))::uuid)
        union all
        select k.customer_id, k.phone, k.name, case when k.is_primary then 1 else 2 end
          from contacts k
         where k.organization_id = ${organizationId} and k.phone is not null and k.erased_at is null
           and k.customer_id in (select (jsonb_array_elements_text(${ids}::jsonb))::uuid)
         order by 1, 4, 3`,
  );
  const bad = await queryRows<{ customerId: string; digits: string }>(
    db,
    sql`select a.customer_id as "customerId", a.data->>'digits' as digits
          from activities a
         where a.organization_id = ${organizationId} and a.kind = ${PHONE_UNUSABLE}
           and a.customer_id in (select (jsonb_array_elements_text(${ids}::jsonb))::uuid)`,
  );
  const badOf = new Map<string, Set<string>>();
  for (const b of bad) {
    const s = badOf.get(b.customerId) ?? new Set<string>();
    s.add(b.digits);
    badOf.set(b.customerId, s);
  }
  for (const r of rows) {
    const digits = phoneDigits(r.phone);
    if (!digits) continue;
    const list = out.get(r.customerId) ?? [];
    if (list.some((p) => phoneDigits(p.phone) === digits)) continue;
    list.push({ phone: r.phone, name: r.name, usable: !badOf.get(r.customerId)?.has(digits) });
    out.set(r.customerId, list);
  }
  return out;
}

/** Record numbers as wrong for a customer (idempotent per number). Returns the numbers marked. */
export async function markPhonesUnusable(
  tx: OrgScope,
  customerId: string,
  phones: readonly string[],
  by: { userId: string | null; taskId: string },
): Promise<string[]> {
  const known = (await phonesOf(tx.db, tx.organizationId, [customerId])).get(customerId) ?? [];
  const marked: string[] = [];
  for (const phone of phones) {
    const option = known.find((k) => phoneDigits(k.phone) === phoneDigits(phone));
    if (!option || !option.usable) continue;
    await tx.insert(activities, {
      customerId,
      kind: PHONE_UNUSABLE,
      actorType: by.userId ? 'user' : 'system',
      actorUserId: by.userId,
      body: `Wrong number: ${option.phone}`,
      data: { phone: option.phone, digits: phoneDigits(option.phone), taskId: by.taskId },
    });
    marked.push(option.phone);
  }
  return marked;
}
