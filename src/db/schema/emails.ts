import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id } from './common';
import { organizations } from './organizations';

export type EmailStatus = 'queued' | 'sending' | 'sent' | 'failed' | 'bounced';

/**
 * Every e-mail Duely sends is a row first, with a unique idempotency key; the send job claims
 * the row, sends, and records the provider's message id. Without SMTP_URL the row itself is
 * the local outbox that clerks can read.
 */
export const emails = pgTable(
  'emails',
  {
    id: id(),
    organizationId: uuid('organization_id').references(() => organizations.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    fromAddress: text('from_address').notNull(),
    toAddress: text('to_address').notNull(),
    replyTo: text('reply_to'),
    subject: text('subject').notNull(),
    text: text('text').notNull(),
    html: text('html'),
    headers: jsonb('headers').$type<Record<string, string>>().notNull().default({}),
    status: text('status').$type<EmailStatus>().notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    transport: text('transport').$type<'smtp' | 'outbox'>(),
    providerMessageId: text('provider_message_id'),
    error: text('error'),
    createdAt: createdAt(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('emails_idempotency_uq').on(t.idempotencyKey),
    index('emails_org_created_idx').on(t.organizationId, t.createdAt),
    index('emails_queued_idx')
      .on(t.createdAt)
      .where(sql`status in ('queued','sending')`),
  ],
);
