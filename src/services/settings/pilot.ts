/**
 * Pilot customers: while the firm pilots, live automation covers only customers flagged `pilot`
 * (or carrying a pilot tag); everyone else stays in preview. Search, suggestions and the flag.
 */
import { asc, desc, eq, ilike, inArray, isNull, sql } from 'drizzle-orm';
import { customers, invoices } from '../../db/schema';
import { isUuid, type OrgScope } from '../../db/scope';

export interface PilotCandidate {
  id: string;
  name: string;
  email: string | null;
  pilot: boolean;
  openInvoices: number;
}

const openCount = sql<number>`(select count(*)::int from ${invoices} i
  where i.organization_id = ${customers.organizationId} and i.customer_id = ${customers.id}
    and i.status = 'open')`;

const columns = {
  id: customers.id,
  name: customers.name,
  email: customers.email,
  pilot: customers.pilot,
  openInvoices: openCount,
};

/** Customers whose name contains `q` (all when empty), pilot customers first. */
export async function searchCustomers(scope: OrgScope, q: string, limit = 30): Promise<PilotCandidate[]> {
  const term = q
    .trim()
    .slice(0, 100)
    .replace(/[\\%_]/g, (c) => `\\${c}`);
  return scope.db
    .select(columns)
    .from(customers)
    .where(
      scope.where(
        customers,
        isNull(customers.deletedAt),
        term ? ilike(customers.name, `%${term}%`) : undefined,
      ),
    )
    .orderBy(desc(customers.pilot), asc(customers.name), asc(customers.id))
    .limit(limit);
}

export async function pilotCustomers(scope: OrgScope): Promise<PilotCandidate[]> {
  return scope.db
    .select(columns)
    .from(customers)
    .where(scope.where(customers, eq(customers.pilot, true), isNull(customers.deletedAt)))
    .orderBy(asc(customers.name), asc(customers.id));
}

/**
 * A handful of customers to pilot with: those with open invoices and an e-mail address, the most
 * open invoices first (they show the sequences at work soonest).
 */
export async function suggestPilotCustomers(scope: OrgScope, n = 5): Promise<PilotCandidate[]> {
  const rows = await scope.db
    .select(columns)
    .from(customers)
    .where(
      scope.where(
        customers,
        isNull(customers.deletedAt),
        sql`${customers.email} is not null`,
        sql`${openCount} > 0`,
      ),
    )
    .orderBy(desc(openCount), asc(customers.name), asc(customers.id))
    .limit(n);
  return rows;
}

/**
 * Set the pilot flag of the customers the page showed: `chosen` on, the other `shown` ones off.
 * Ids that are not this firm's customers match nothing. Returns the ids whose flag changed.
 */
export async function setPilotFlags(
  scope: OrgScope,
  shown: readonly string[],
  chosen: readonly string[],
): Promise<{ added: string[]; removed: string[] }> {
  const ids = [...new Set(shown.filter(isUuid))];
  if (ids.length === 0) return { added: [], removed: [] };
  const on = new Set(chosen.filter(isUuid));
  const onIds = ids.filter((id) => on.has(id));
  const offIds = ids.filter((id) => !on.has(id));
  const added = onIds.length
    ? await scope
        .update(
          customers,
          { pilot: true, updatedAt: new Date() },
          inArray(customers.id, onIds),
          eq(customers.pilot, false),
        )
        .returning({ id: customers.id })
    : [];
  const removed = offIds.length
    ? await scope
        .update(
          customers,
          { pilot: false, updatedAt: new Date() },
          inArray(customers.id, offIds),
          eq(customers.pilot, true),
        )
        .returning({ id: customers.id })
    : [];
  return { added: added.map((r) => r.id), removed: removed.map((r) => r.id) };
}
