import { getTableColumns, getTableName, sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Queryable } from './client';
import { queryRows } from './client';

/**
 * Set-based upsert of many rows in ONE statement with ONE parameter: the batch travels as a
 * JSON document that PostgreSQL unpacks with jsonb_to_recordset. Building a 1,000-row VALUES
 * list with tens of thousands of parameters costs more in the query builder than the database
 * spends writing it; this keeps a batch to a single, cheap round trip on PGlite and PostgreSQL.
 */
export async function bulkUpsert<
  T extends PgTable,
  R extends Record<string, unknown> = Record<string, never>,
>(
  db: Queryable,
  table: T,
  rows: Partial<T['$inferInsert']>[],
  opts: {
    /** Conflict target (the unique index's columns); omit for a plain insert. */
    conflict?: PgColumn[];
    /** Columns overwritten from the incoming row on conflict. */
    update?: PgColumn[];
    /** Extra `column = expression` assignments on conflict (raw SQL over `excluded`). */
    set?: Record<string, SQL>;
    /** `do nothing` on conflict instead of updating. */
    ignore?: boolean;
    returning?: Record<keyof R & string, PgColumn>;
    /**
     * Commit without waiting for the WAL flush (`synchronous_commit` off for this statement's own
     * transaction only): for rows a crash may lose because they are recovered some other way.
     */
    asyncCommit?: boolean;
  },
): Promise<R[]> {
  if (!rows.length) return [];
  const columns = getTableColumns(table) as Record<string, PgColumn>;
  const keys = Object.keys(rows[0]!).filter((k) => columns[k]);
  const cols = keys.map((k) => columns[k]!);
  const doc = rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++) {
      const v = (row as Record<string, unknown>)[keys[i]!];
      out[cols[i]!.name] = v instanceof Date ? v.toISOString() : v === undefined ? null : v;
    }
    return out;
  });
  const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;
  const colList = cols.map((c) => ident(c.name)).join(', ');
  const recordDef = cols.map((c) => `${ident(c.name)} ${c.getSQLType()}`).join(', ');
  const where = opts.asyncCommit ? ` where set_config('synchronous_commit', 'off', true) is not null` : '';
  let conflict = '';
  if (opts.conflict) {
    const target = opts.conflict.map((c) => ident(c.name)).join(', ');
    if (opts.ignore) conflict = ` on conflict (${target}) do nothing`;
    else {
      const assignments = [
        ...(opts.update ?? []).map((c) => sql.raw(`${ident(c.name)} = excluded.${ident(c.name)}`)),
        ...Object.entries(opts.set ?? {}).map(([name, expr]) => sql`${sql.raw(ident(name))} = ${expr}`),
      ];
      conflict = ' on conflict (' + target + ') do update set ';
      const returning = opts.returning
        ? sql.raw(
            ' returning ' +
              Object.entries(opts.returning)
                .map(([alias, c]) => `${ident(c.name)} as ${ident(alias)}`)
                .join(', '),
          )
        : sql``;
      return queryRows<R>(
        db,
        sql`insert into ${sql.raw(ident(getTableName(table)))} (${sql.raw(colList)}) select ${sql.raw(colList)} from jsonb_to_recordset(${JSON.stringify(doc)}::jsonb) as x(${sql.raw(recordDef)})${sql.raw(where + conflict)}${sql.join(assignments, sql`, `)}${returning}`,
      );
    }
  }
  const returning = opts.returning
    ? ' returning ' +
      Object.entries(opts.returning)
        .map(([alias, c]) => `${ident(c.name)} as ${ident(alias)}`)
        .join(', ')
    : '';
  return queryRows<R>(
    db,
    sql`insert into ${sql.raw(ident(getTableName(table)))} (${sql.raw(colList)}) select ${sql.raw(colList)} from jsonb_to_recordset(${JSON.stringify(doc)}::jsonb) as x(${sql.raw(recordDef)})${sql.raw(where + conflict + returning)}`,
  );
}
