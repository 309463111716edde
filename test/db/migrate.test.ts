import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../src/db/client';
import { isUniqueViolation } from '../../src/db/errors';
import { migrate } from '../../src/db/migrate';
import { createTestDatabase } from '../support/db';

describe('migrations', () => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.close();
  });

  it('create every table of the AR model on an empty database', async () => {
    const rows = await queryRows<{ table_name: string }>(
      database.db,
      sql`select table_name from information_schema.tables where table_schema = 'public' order by 1`,
    );
    const names = rows.map((r) => r.table_name);
    for (const t of [
      'organizations',
      'users',
      'memberships',
      'sessions',
      'api_tokens',
      'connections',
      'customers',
      'contacts',
      'invoices',
      'payments',
      'payment_allocations',
      'credit_notes',
      'sync_runs',
      'audit_log',
    ]) {
      expect(names).toContain(t);
    }
  });

  it('are idempotent: running them again changes nothing', async () => {
    const before = await queryRows(
      database.db,
      sql`select count(*)::int as n from duely_meta.__drizzle_migrations`,
    );
    await migrate(database);
    await migrate(database);
    const after = await queryRows(
      database.db,
      sql`select count(*)::int as n from duely_meta.__drizzle_migrations`,
    );
    expect(after).toEqual(before);
  });

  it('enforce one row per (organization, connection, external id) for synced records', async () => {
    const org = await queryRows<{ id: string }>(
      database.db,
      sql`insert into organizations (slug, name) values ('a', 'A') returning id`,
    );
    const orgId = org[0]!.id;
    const conn = await queryRows<{ id: string }>(
      database.db,
      sql`insert into connections (organization_id, platform, external_tenant_id) values (${orgId}, 'quickbooks', 'r1') returning id`,
    );
    const connId = conn[0]!.id;
    await database.db.execute(
      sql`insert into customers (organization_id, connection_id, external_id, name) values (${orgId}, ${connId}, '1', 'x')`,
    );
    const second = database.db
      .execute(
        sql`insert into customers (organization_id, connection_id, external_id, name) values (${orgId}, ${connId}, '1', 'y')`,
      )
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(isUniqueViolation(await second)).toBe(true);
  });
});
