import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { Platform, RecordError } from '../../../connectors/types';
import { createdAt, id, updatedAt } from './common';
import { organizations } from './organizations';

export type ConnectionStatus = 'connected' | 'needs_reconnect' | 'disconnected';

export const connections = pgTable(
  'connections',
  {
    id: id(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    platform: text('platform').$type<Platform>().notNull(),
    /** QuickBooks realmId / Xero tenantId. */
    externalTenantId: text('external_tenant_id').notNull(),
    displayName: text('display_name'),
    status: text('status').$type<ConnectionStatus>().notNull().default('connected'),
    statusReason: text('status_reason'),
    /** Encrypted with the key ring (src/crypto); never stored or logged in clear. */
    accessTokenEnc: text('access_token_enc'),
    refreshTokenEnc: text('refresh_token_enc'),
    /** The refresh token before the last rotation, kept for Xero's grace period. */
    previousRefreshTokenEnc: text('previous_refresh_token_enc'),
    accessTokenExpiresAt: timestamp('access_token_expires_at', { withTimezone: true }),
    refreshTokenExpiresAt: timestamp('refresh_token_expires_at', { withTimezone: true }),
    tokenRefreshedAt: timestamp('token_refreshed_at', { withTimezone: true }),
    scopes: text('scopes'),
    /**
     * Connections made by one OAuth grant share its tokens (a Xero grant can cover several
     * organisations): a refresh rotates the tokens of every connection with the same key.
     */
    grantKey: text('grant_key'),
    /** Per-connection sync cursor, opaque to all but the connector. */
    syncCursor: jsonb('sync_cursor'),
    lastSyncAt: timestamp('last_sync_at', { withTimezone: true }),
    /** Platform settings chosen by the firm (e.g. Xero bank account for payments). */
    settings: jsonb('settings').$type<Record<string, unknown>>().notNull().default({}),
    connectedByUserId: uuid('connected_by_user_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('connections_org_platform_tenant_uq').on(t.organizationId, t.platform, t.externalTenantId),
    index('connections_platform_tenant_idx').on(t.platform, t.externalTenantId),
    index('connections_grant_idx').on(t.grantKey),
  ],
);

export type SyncRunStatus = 'queued' | 'running' | 'succeeded' | 'partial' | 'failed' | 'postponed';

export const syncRuns = pgTable(
  'sync_runs',
  {
    id: id(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    connectionId: uuid('connection_id')
      .notNull()
      .references(() => connections.id, { onDelete: 'cascade' }),
    mode: text('mode').$type<'full' | 'incremental' | 'webhook'>().notNull(),
    trigger: text('trigger').$type<'cli' | 'api' | 'schedule' | 'webhook' | 'ui' | 'connect'>().notNull(),
    status: text('status').$type<SyncRunStatus>().notNull().default('queued'),
    customers: integer('customers').notNull().default(0),
    invoices: integer('invoices').notNull().default(0),
    payments: integer('payments').notNull().default(0),
    creditNotes: integer('credit_notes').notNull().default(0),
    apiCalls: integer('api_calls').notNull().default(0),
    rateLimited: integer('rate_limited').notNull().default(0),
    progressDone: integer('progress_done').notNull().default(0),
    progressTotal: integer('progress_total'),
    errors: jsonb('errors').$type<RecordError[]>().notNull().default([]),
    failureReason: text('failure_reason'),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    index('sync_runs_org_conn_created_idx').on(t.organizationId, t.connectionId, t.createdAt),
    // at most one running sync per connection
    uniqueIndex('sync_runs_one_running_uq')
      .on(t.connectionId)
      .where(sql`status = 'running'`),
  ],
);

/** Webhook notifications, deduplicated by (platform, event id) before any work is enqueued. */
export const webhookEvents = pgTable(
  'webhook_events',
  {
    id: id(),
    platform: text('platform').notNull(),
    eventId: text('event_id').notNull(),
    organizationId: uuid('organization_id').references(() => organizations.id, { onDelete: 'cascade' }),
    connectionId: uuid('connection_id').references(() => connections.id, { onDelete: 'cascade' }),
    entity: text('entity').notNull(),
    externalId: text('external_id').notNull(),
    operation: text('operation').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp('processed_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('webhook_events_platform_event_uq').on(t.platform, t.eventId),
    index('webhook_events_pending_idx')
      .on(t.connectionId)
      .where(sql`processed_at is null`),
  ],
);

export type WriteBackKind = 'note' | 'payment';
export type WriteBackStatus = 'pending' | 'running' | 'done' | 'failed';

/** Everything Duely writes to the books is a row first (ARCHITECTURE decision 1), a job second. */
export const writeBacks = pgTable(
  'write_backs',
  {
    id: id(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    connectionId: uuid('connection_id')
      .notNull()
      .references(() => connections.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<WriteBackKind>().notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    invoiceId: uuid('invoice_id'),
    paymentId: uuid('payment_id'),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    status: text('status').$type<WriteBackStatus>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    externalId: text('external_id'),
    lastError: text('last_error'),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    createdAt: createdAt(),
    doneAt: timestamp('done_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('write_backs_org_key_uq').on(t.organizationId, t.idempotencyKey),
    index('write_backs_due_idx')
      .on(t.nextAttemptAt)
      .where(sql`status in ('pending','running')`),
  ],
);
