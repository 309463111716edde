/**
 * Promises to pay and disputes/requests: the two kinds of "case" a customer (portal) or a clerk
 * (call, workspace) opens on invoices. Each pauses reminders on its invoices while active.
 */
import {
  customType,
  date,
  index,
  integer,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { createdAt, id, MONEY, updatedAt } from './common';
import { contacts, customers, invoices } from './ledger';
import { organizations, users } from './organizations';

const orgRef = () =>
  uuid('organization_id')
    .notNull()
    .references(() => organizations.id, { onDelete: 'cascade' });

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (v) => (Buffer.isBuffer(v) ? v : Buffer.from(v)),
});

export type CaseSource = 'portal' | 'call' | 'clerk' | 'api';
export type PromiseStatus = 'active' | 'kept' | 'partially_kept' | 'broken' | 'cancelled';

export const promises = pgTable(
  'promises',
  {
    id: id(),
    organizationId: orgRef(),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    contactId: uuid('contact_id').references(() => contacts.id, { onDelete: 'set null' }),
    amount: numeric('amount', MONEY).notNull(),
    currency: text('currency').notNull(),
    promisedDate: date('promised_date', { mode: 'string' }).notNull(),
    graceDays: integer('grace_days').notNull(),
    status: text('status').$type<PromiseStatus>().notNull().default('active'),
    /** Paid against the promised invoices since the promise was made (set when it is settled). */
    amountPaid: numeric('amount_paid', MONEY).notNull().default('0'),
    source: text('source').$type<CaseSource>().notNull(),
    note: text('note'),
    createdByUserId: uuid('created_by_user_id').references(() => users.id, { onDelete: 'set null' }),
    taskId: uuid('task_id'),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('promises_org_customer_idx').on(t.organizationId, t.customerId),
    index('promises_org_status_date_idx').on(t.organizationId, t.status, t.promisedDate),
  ],
);

/** The invoices a promise covers, with each one's balance when the promise was made. */
export const promiseInvoices = pgTable(
  'promise_invoices',
  {
    promiseId: uuid('promise_id')
      .notNull()
      .references(() => promises.id, { onDelete: 'cascade' }),
    invoiceId: uuid('invoice_id')
      .notNull()
      .references(() => invoices.id, { onDelete: 'cascade' }),
    organizationId: orgRef(),
    balanceAtPromise: numeric('balance_at_promise', MONEY).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.promiseId, t.invoiceId] }),
    index('promise_invoices_org_invoice_idx').on(t.organizationId, t.invoiceId),
  ],
);

export type DisputeKind = 'dispute' | 'request';
export type DisputeStatus = 'open' | 'waiting_on_customer' | 'resolved';

export const disputes = pgTable(
  'disputes',
  {
    id: id(),
    organizationId: orgRef(),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    contactId: uuid('contact_id').references(() => contacts.id, { onDelete: 'set null' }),
    /** Short public reference shown to the customer, e.g. "D-1042". */
    reference: text('reference').notNull(),
    kind: text('kind').$type<DisputeKind>().notNull(),
    /** Dispute reason (pricing, quantity, quality, not_received, duplicate, other) or request type. */
    category: text('category').notNull(),
    status: text('status').$type<DisputeStatus>().notNull().default('open'),
    outcome: text('outcome'),
    ownerUserId: uuid('owner_user_id').references(() => users.id, { onDelete: 'set null' }),
    source: text('source').$type<CaseSource>().notNull(),
    /** E-mail address the thread's replies go to (the contact's, or the one given in the portal). */
    replyEmail: text('reply_email'),
    firstResponseDueAt: timestamp('first_response_due_at', { withTimezone: true }).notNull(),
    firstResponseAt: timestamp('first_response_at', { withTimezone: true }),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('disputes_org_customer_idx').on(t.organizationId, t.customerId),
    uniqueIndex('disputes_org_reference_uq').on(t.organizationId, t.reference),
    index('disputes_org_status_idx').on(t.organizationId, t.status, t.firstResponseDueAt),
  ],
);

export const disputeInvoices = pgTable(
  'dispute_invoices',
  {
    disputeId: uuid('dispute_id')
      .notNull()
      .references(() => disputes.id, { onDelete: 'cascade' }),
    invoiceId: uuid('invoice_id')
      .notNull()
      .references(() => invoices.id, { onDelete: 'cascade' }),
    organizationId: orgRef(),
  },
  (t) => [
    primaryKey({ columns: [t.disputeId, t.invoiceId] }),
    index('dispute_invoices_org_invoice_idx').on(t.organizationId, t.invoiceId),
  ],
);

export const disputeMessages = pgTable(
  'dispute_messages',
  {
    id: id(),
    organizationId: orgRef(),
    disputeId: uuid('dispute_id')
      .notNull()
      .references(() => disputes.id, { onDelete: 'cascade' }),
    author: text('author').$type<'customer' | 'clerk' | 'system'>().notNull(),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
    body: text('body').notNull(),
    emailId: uuid('email_id'),
    createdAt: createdAt(),
  },
  (t) => [index('dispute_messages_dispute_idx').on(t.organizationId, t.disputeId, t.createdAt)],
);

/** Files attached to a dispute message (type-checked by content, size-limited, kept in the database). */
export const attachments = pgTable(
  'attachments',
  {
    id: id(),
    organizationId: orgRef(),
    disputeId: uuid('dispute_id')
      .notNull()
      .references(() => disputes.id, { onDelete: 'cascade' }),
    messageId: uuid('message_id').references(() => disputeMessages.id, { onDelete: 'cascade' }),
    filename: text('filename').notNull(),
    contentType: text('content_type').notNull(),
    size: integer('size').notNull(),
    sha256: text('sha256').notNull(),
    content: bytea('content').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('attachments_org_dispute_idx').on(t.organizationId, t.disputeId)],
);

export { bytea };
