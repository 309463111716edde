/**
 * Collections: the firm's reminder sequences (versioned), the messages and tasks the runner
 * created, and which step of which invoice is done. Every message and task is a row first, with
 * a unique idempotency key per firm (ARCHITECTURE.md decision 1).
 */
import { sql } from 'drizzle-orm';
import {
  boolean,
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
import type { Sequence } from '../../domain/sequences/format';
import { createdAt, id, updatedAt } from './common';
import { emails } from './emails';
import { customers, invoices, type Channel } from './ledger';
import { organizations, users } from './organizations';

const orgRef = () =>
  uuid('organization_id')
    .notNull()
    .references(() => organizations.id, { onDelete: 'cascade' });

export const sequences = pgTable(
  'sequences',
  {
    id: id(),
    organizationId: orgRef(),
    key: text('key').notNull(),
    name: text('name').notNull(),
    isDefault: boolean('is_default').notNull().default(false),
    currentVersion: integer('current_version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('sequences_org_key_uq').on(t.organizationId, t.key)],
);

export const sequenceVersions = pgTable(
  'sequence_versions',
  {
    id: id(),
    organizationId: orgRef(),
    sequenceId: uuid('sequence_id')
      .notNull()
      .references(() => sequences.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    /** The sequence as in the file format (CONTRACT.md §5). */
    definition: jsonb('definition').$type<Sequence>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('sequence_versions_seq_version_uq').on(t.sequenceId, t.version)],
);

export type MessageStatus = 'queued' | 'sent' | 'failed' | 'bounced';

export const messages = pgTable(
  'messages',
  {
    id: id(),
    organizationId: orgRef(),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    invoiceIds: uuid('invoice_ids').array().notNull(),
    sequenceKey: text('sequence_key').notNull(),
    sequenceVersion: integer('sequence_version').notNull(),
    stepKey: text('step_key').notNull(),
    channel: text('channel').$type<Channel>().notNull(),
    status: text('status').$type<MessageStatus>().notNull().default('queued'),
    toAddress: text('to_address'),
    subject: text('subject'),
    emailId: uuid('email_id').references(() => emails.id, { onDelete: 'set null' }),
    portalUrl: text('portal_url'),
    portalTokenId: uuid('portal_token_id'),
    error: text('error'),
    openedAt: timestamp('opened_at', { withTimezone: true }),
    clickedAt: timestamp('clicked_at', { withTimezone: true }),
    bouncedAt: timestamp('bounced_at', { withTimezone: true }),
    idempotencyKey: text('idempotency_key').notNull(),
    sendAt: timestamp('send_at', { withTimezone: true }).notNull(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    live: boolean('live').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('messages_org_idempotency_uq').on(t.organizationId, t.idempotencyKey),
    index('messages_org_customer_send_idx').on(t.organizationId, t.customerId, t.sendAt),
  ],
);

export type TaskKind = 'call' | 'letter' | 'master_data' | 'other';
export type TaskStatus = 'open' | 'done' | 'cancelled';
export type TaskOutcome = 'reached' | 'no_answer' | 'promise' | 'dispute' | 'wrong_number';

export const tasks = pgTable(
  'tasks',
  {
    id: id(),
    organizationId: orgRef(),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    invoiceIds: uuid('invoice_ids')
      .array()
      .notNull()
      .default(sql`'{}'::uuid[]`),
    kind: text('kind').$type<TaskKind>().notNull(),
    title: text('title').notNull(),
    talkingPoints: jsonb('talking_points').$type<string[]>().notNull().default([]),
    /** The sequence step that created the task, when a sequence did. */
    sequenceKey: text('sequence_key'),
    stepKey: text('step_key'),
    assigneeUserId: uuid('assignee_user_id').references(() => users.id, { onDelete: 'set null' }),
    dueDate: date('due_date', { mode: 'string' }).notNull(),
    status: text('status').$type<TaskStatus>().notNull().default('open'),
    outcome: text('outcome').$type<TaskOutcome>(),
    outcomeNote: text('outcome_note'),
    completedByUserId: uuid('completed_by_user_id').references(() => users.id, { onDelete: 'set null' }),
    idempotencyKey: text('idempotency_key').notNull(),
    createdAt: createdAt(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('tasks_org_idempotency_uq').on(t.organizationId, t.idempotencyKey),
    index('tasks_org_status_due_idx').on(t.organizationId, t.status, t.dueDate),
  ],
);

/** The steps done per invoice, whatever the sequence version (the planner's `doneStepKeys`). */
export const invoiceSteps = pgTable(
  'invoice_steps',
  {
    id: id(),
    organizationId: orgRef(),
    invoiceId: uuid('invoice_id')
      .notNull()
      .references(() => invoices.id, { onDelete: 'cascade' }),
    stepKey: text('step_key').notNull(),
    messageId: uuid('message_id').references(() => messages.id, { onDelete: 'set null' }),
    taskId: uuid('task_id').references(() => tasks.id, { onDelete: 'set null' }),
    doneAt: timestamp('done_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('invoice_steps_invoice_step_uq').on(t.invoiceId, t.stepKey),
    index('invoice_steps_org_invoice_idx').on(t.organizationId, t.invoiceId),
  ],
);
