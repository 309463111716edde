/**
 * Read-modify-write of `organizations.settings` (a jsonb of independent groups: sendRules, pilot,
 * sequenceByTag, humanTouch, onboarding, promises, …). The row is locked for the change, so two
 * pages saving different groups at the same moment never undo each other.
 */
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { organizations } from '../../db/schema';
import { NotFoundError } from '../errors';
import type { Organization } from '../organizations';

export type Settings = Record<string, unknown>;

/** Organisation columns that may change together with the settings. */
export type OrgColumns = Partial<Pick<typeof organizations.$inferInsert, 'automation'>>;

/**
 * Apply `change` to the firm's settings under a row lock (with `columns` in the same write, and
 * `within` run in the same transaction); returns the new settings. An error thrown by `change`
 * or `within` changes nothing.
 */
export async function updateSettings(
  db: Db,
  organizationId: string,
  change: (current: Settings, org: Organization) => Settings | Promise<Settings>,
  columns: OrgColumns = {},
  within?: (tx: Db) => Promise<void>,
): Promise<Settings> {
  return db.transaction(async (tx) => {
    const [org] = await tx
      .select()
      .from(organizations)
      .where(eq(organizations.id, organizationId))
      .for('update');
    if (!org) throw new NotFoundError('organization');
    const next = await change({ ...(org.settings ?? {}) }, org);
    await tx
      .update(organizations)
      .set({ ...columns, settings: next, updatedAt: new Date() })
      .where(eq(organizations.id, organizationId));
    if (within) await within(tx as unknown as Db);
    return next;
  });
}

/** Replace (or remove, with `undefined`) one settings group. */
export function setGroup(db: Db, organizationId: string, group: string, value: unknown): Promise<Settings> {
  return updateSettings(db, organizationId, (s) => {
    const next = { ...s };
    if (value === undefined) delete next[group];
    else next[group] = value;
    return next;
  });
}
