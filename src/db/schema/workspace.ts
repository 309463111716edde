/**
 * What the clerk's workspace reads besides the ledger: the customer timeline's own events
 * (notes, calls, portal visits, message opens/clicks, preference changes), the firm's e-mail
 * templates, and report figures pre-aggregated after each sync.
 */
import {
  bigint,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { createdAt, id, updatedAt } from './common';
import { customers } from './ledger';
import { organizations, users } from './organizations';

const orgRef = () =>
  uuid('organization_id')
    .notNull()
    .references(() => organizations.id, { onDelete: 'cascade' });

/**
 * Timeline kinds that live only here; invoices, payments, messages, tasks, promises and
 * disputes are read from their own tables. Examples: `note`, `call.logged`, `portal.visit`,
 * `message.opened`, `message.clicked`, `message.bounced`, `contact.unsubscribed`,
 * `preferences.updated`, `sequence.changed`, `customer.paused`, `portal.link_sent`.
 */
export const activities = pgTable(
  'activities',
  {
    id: id(),
    organizationId: orgRef(),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    actorType: text('actor_type').$type<'user' | 'customer' | 'system'>().notNull(),
    actorUserId: uuid('actor_user_id').references(() => users.id, { onDelete: 'set null' }),
    invoiceIds: uuid('invoice_ids')
      .array()
      .notNull()
      .default(sql`'{}'::uuid[]`),
    body: text('body'),
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [
    index('activities_org_customer_created_idx').on(t.organizationId, t.customerId, t.createdAt),
    // one portal visit per portal session and day, also when a page's requests arrive together
    uniqueIndex('activities_portal_visit_uq')
      .on(t.organizationId, sql`(${t.data}->>'visitKey')`, sql`(${t.data}->>'day')`)
      .where(sql`kind = 'portal.visit'`),
  ],
);

/** A firm's own e-mail template (overrides the built-in of the same key); versioned. */
export const templates = pgTable(
  'templates',
  {
    id: id(),
    organizationId: orgRef(),
    key: text('key').notNull(),
    name: text('name').notNull(),
    subject: text('subject').notNull(),
    /** MJML body (inside the firm's layout), with `{{variables}}`. */
    body: text('body').notNull(),
    version: integer('version').notNull().default(1),
    updatedByUserId: uuid('updated_by_user_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('templates_org_key_uq').on(t.organizationId, t.key)],
);

/** Report figures computed after each sync (and on demand), so the dashboard reads one row. */
export const reportSnapshots = pgTable(
  'report_snapshots',
  {
    organizationId: orgRef(),
    report: text('report').notNull(),
    asOf: date('as_of', { mode: 'string' }).notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    /** The firm's ledger version read before computing: valid while it is still current. */
    ledgerVersion: bigint('ledger_version', { mode: 'number' }).notNull(),
    computedAt: timestamp('computed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('report_snapshots_org_report_uq').on(t.organizationId, t.report, t.asOf)],
);

/**
 * A counter per firm that statement-level triggers on invoices, payments, payment allocations
 * and credit notes bump on every change (migration 0005), whatever code path made it (sync,
 * webhook, portal payment, erasure). Report snapshots remember the version they were computed
 * from. Concurrent writers of one firm queue briefly on this row until they commit.
 */
export const ledgerVersions = pgTable('ledger_versions', {
  organizationId: uuid('organization_id')
    .primaryKey()
    .references(() => organizations.id, { onDelete: 'cascade' }),
  version: bigint('version', { mode: 'number' }).notNull().default(0),
});
