import { and, eq, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Queryable } from './client';

/** A table that holds one firm's data. */
export type OrgTable = PgTable & { organizationId: PgColumn; id: PgColumn };

/**
 * The one place where firm data is scoped: every read, update and delete that goes through an
 * OrgScope carries `organization_id = <this firm>`, and every insert gets it stamped on.
 * Services receive an OrgScope, never a bare organisation id to remember to filter by.
 */
export class OrgScope {
  constructor(
    readonly db: Queryable,
    readonly organizationId: string,
  ) {}

  /** `organization_id = this firm AND …conditions` for any firm table. */
  where(table: OrgTable, ...conditions: (SQL | undefined)[]): SQL {
    return and(eq(table.organizationId, this.organizationId), ...conditions) as SQL;
  }

  select<T extends OrgTable>(table: T, ...conditions: (SQL | undefined)[]) {
    return this.db
      .select()
      .from(table as PgTable)
      .where(this.where(table, ...conditions)) as unknown as Promise<T['$inferSelect'][]> & {
      limit(n: number): Promise<T['$inferSelect'][]>;
    };
  }

  async findById<T extends OrgTable>(table: T, id: string): Promise<T['$inferSelect'] | undefined> {
    if (!isUuid(id)) return undefined;
    const rows = (await this.db
      .select()
      .from(table as PgTable)
      .where(this.where(table, eq(table.id, id)))
      .limit(1)) as T['$inferSelect'][];
    return rows[0];
  }

  insert<T extends OrgTable>(
    table: T,
    values: Omit<T['$inferInsert'], 'organizationId'> | Omit<T['$inferInsert'], 'organizationId'>[],
  ) {
    const stamp = (v: object) => ({ ...v, organizationId: this.organizationId });
    const rows = Array.isArray(values) ? values.map(stamp) : stamp(values);
    return this.db.insert(table as PgTable).values(rows as never);
  }

  update<T extends OrgTable>(
    table: T,
    set: Partial<Omit<T['$inferInsert'], 'organizationId' | 'id'>>,
    ...conditions: (SQL | undefined)[]
  ) {
    return this.db
      .update(table)
      .set(set as never)
      .where(this.where(table, ...conditions));
  }

  delete<T extends OrgTable>(table: T, ...conditions: (SQL | undefined)[]) {
    return this.db.delete(table as PgTable).where(this.where(table, ...conditions));
  }

  /** The same scope inside a transaction. */
  async transaction<R>(fn: (scope: OrgScope) => Promise<R>): Promise<R> {
    return this.db.transaction(async (tx) => fn(new OrgScope(tx, this.organizationId)));
  }
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Ids arrive from URLs: anything that is not a UUID simply matches nothing (404, not 500). */
export const isUuid = (s: string): boolean => UUID_RE.test(s);
