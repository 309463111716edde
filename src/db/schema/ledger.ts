import { sql } from 'drizzle-orm';
import {
  boolean,
  date,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import type { CanonicalAddress, CanonicalInvoiceLine } from '../../../connectors/types';
import { createdAt, id, MONEY, updatedAt } from './common';
import { connections } from './connections';
import { organizations } from './organizations';

const orgRef = () =>
  uuid('organization_id')
    .notNull()
    .references(() => organizations.id, { onDelete: 'cascade' });
const connRef = () =>
  uuid('connection_id')
    .notNull()
    .references(() => connections.id, { onDelete: 'cascade' });

export type Channel = 'email' | 'call' | 'letter' | 'sms';

export const customers = pgTable(
  'customers',
  {
    id: id(),
    organizationId: orgRef(),
    connectionId: connRef(),
    externalId: text('external_id').notNull(),
    parentExternalId: text('parent_external_id'),
    name: text('name').notNull(),
    email: text('email'),
    phone: text('phone'),
    currency: text('currency'),
    /** Open balance as the platform reports it. */
    balance: numeric('balance', MONEY),
    terms: jsonb('terms').$type<{
      externalId: string | null;
      name: string | null;
      dueDays: number | null;
    } | null>(),
    address: jsonb('address').$type<CanonicalAddress | null>(),
    active: boolean('active').notNull().default(true),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
    tags: text('tags')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** Contact preferences (the customer may also set them in the portal). */
    preferredChannel: text('preferred_channel').$type<Channel>(),
    preferredHour: smallint('preferred_hour'),
    timezone: text('timezone'),
    /** Sequence chosen by hand (null = by tag, else the firm's default). */
    sequenceKey: text('sequence_key'),
    pausedUntil: date('paused_until', { mode: 'string' }),
    pausedReason: text('paused_reason'),
    /** Pilot: live automation limited to pilot customers while the firm pilots. */
    pilot: boolean('pilot').notNull().default(false),
    /** Onboarding of a customer first seen after the firm's first sync: none → pending → active → done. */
    onboardingStatus: text('onboarding_status')
      .$type<'none' | 'pending' | 'active' | 'done'>()
      .notNull()
      .default('none'),
    onboardingInvoiceId: uuid('onboarding_invoice_id'),
    /** What the introductory call learned: AP contact, AP payment policy, remarks. */
    profile: jsonb('profile')
      .$type<{ apContact?: string | null; apPaymentPolicy?: string | null; remarks?: string | null }>()
      .notNull()
      .default({}),
    platformUpdatedAt: timestamp('platform_updated_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('customers_org_conn_ext_uq').on(t.organizationId, t.connectionId, t.externalId),
    index('customers_org_name_idx').on(t.organizationId, t.name),
  ],
);

export const contacts = pgTable(
  'contacts',
  {
    id: id(),
    organizationId: orgRef(),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    /** Null for contacts added in Duely; else the platform's id or a stable derived key. */
    externalKey: text('external_key'),
    source: text('source').$type<'platform' | 'duely'>().notNull().default('platform'),
    name: text('name'),
    email: text('email'),
    phone: text('phone'),
    role: text('role').$type<'billing' | 'ap' | 'other'>().notNull().default('billing'),
    isPrimary: boolean('is_primary').notNull().default(false),
    preferredChannel: text('preferred_channel').$type<Channel>(),
    /** Contact hours in the contact's time zone, e.g. {"from":9,"to":17,"days":[1,2,3,4,5]} */
    contactHours: jsonb('contact_hours').$type<{ from: number; to: number; days?: number[] } | null>(),
    timezone: text('timezone'),
    emailStatus: text('email_status').$type<'ok' | 'bounced'>().notNull().default('ok'),
    unsubscribedAt: timestamp('unsubscribed_at', { withTimezone: true }),
    erasedAt: timestamp('erased_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('contacts_org_customer_idx').on(t.organizationId, t.customerId),
    uniqueIndex('contacts_customer_external_uq').on(t.customerId, t.externalKey),
  ],
);

export type StoredInvoiceStatus = 'open' | 'paid' | 'voided' | 'deleted';

export const invoices = pgTable(
  'invoices',
  {
    id: id(),
    organizationId: orgRef(),
    connectionId: connRef(),
    externalId: text('external_id').notNull(),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    number: text('number'),
    currency: text('currency').notNull(),
    issueDate: date('issue_date', { mode: 'string' }).notNull(),
    dueDate: date('due_date', { mode: 'string' }).notNull(),
    total: numeric('total', MONEY).notNull(),
    balance: numeric('balance', MONEY).notNull(),
    homeBalance: numeric('home_balance', MONEY),
    exchangeRate: numeric('exchange_rate', { precision: 24, scale: 10 }),
    status: text('status').$type<StoredInvoiceStatus>().notNull(),
    platformStatus: text('platform_status').notNull(),
    onlinePaymentUrl: text('online_payment_url'),
    /** Invoice lines summary: the first lines and the count. */
    lines: jsonb('lines').$type<CanonicalInvoiceLine[]>().notNull().default([]),
    lineCount: integer('line_count').notNull().default(0),
    syncToken: text('sync_token'),
    platformUpdatedAt: timestamp('platform_updated_at', { withTimezone: true }),
    paidAt: timestamp('paid_at', { withTimezone: true }),
    /** When the reminder planner should next look at this invoice (indexed sweep). */
    nextActionAt: timestamp('next_action_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('invoices_org_conn_ext_uq').on(t.organizationId, t.connectionId, t.externalId),
    index('invoices_org_customer_idx').on(t.organizationId, t.customerId),
    index('invoices_org_status_due_idx').on(t.organizationId, t.status, t.dueDate),
    index('invoices_next_action_idx')
      .on(t.nextActionAt)
      .where(sql`status = 'open'`),
  ],
);

export const payments = pgTable(
  'payments',
  {
    id: id(),
    organizationId: orgRef(),
    connectionId: connRef(),
    /** Null until a portal payment has been written back to the platform. */
    externalId: text('external_id'),
    customerId: uuid('customer_id').references(() => customers.id, { onDelete: 'set null' }),
    date: date('date', { mode: 'string' }).notNull(),
    amount: numeric('amount', MONEY).notNull(),
    currency: text('currency').notNull(),
    method: text('method'),
    reference: text('reference'),
    kind: text('kind').$type<'payment' | 'prepayment' | 'overpayment'>().notNull().default('payment'),
    status: text('status').$type<'active' | 'voided' | 'deleted'>().notNull().default('active'),
    source: text('source').$type<'platform' | 'portal'>().notNull().default('platform'),
    /** Provider reference for portal payments (Stripe payment intent). */
    providerRef: text('provider_ref'),
    platformUpdatedAt: timestamp('platform_updated_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('payments_org_conn_ext_uq').on(t.organizationId, t.connectionId, t.externalId),
    uniqueIndex('payments_org_provider_ref_uq').on(t.organizationId, t.providerRef),
    index('payments_org_customer_idx').on(t.organizationId, t.customerId),
    index('payments_org_date_idx').on(t.organizationId, t.date),
  ],
);

export const paymentAllocations = pgTable(
  'payment_allocations',
  {
    id: id(),
    organizationId: orgRef(),
    paymentId: uuid('payment_id')
      .notNull()
      .references(() => payments.id, { onDelete: 'cascade' }),
    invoiceId: uuid('invoice_id').references(() => invoices.id, { onDelete: 'cascade' }),
    invoiceExternalId: text('invoice_external_id').notNull(),
    amount: numeric('amount', MONEY).notNull(),
  },
  (t) => [
    uniqueIndex('payment_allocations_payment_invoice_uq').on(t.paymentId, t.invoiceExternalId),
    index('payment_allocations_org_invoice_idx').on(t.organizationId, t.invoiceId),
  ],
);

export const creditNotes = pgTable(
  'credit_notes',
  {
    id: id(),
    organizationId: orgRef(),
    connectionId: connRef(),
    externalId: text('external_id').notNull(),
    customerId: uuid('customer_id').references(() => customers.id, { onDelete: 'set null' }),
    number: text('number'),
    date: date('date', { mode: 'string' }).notNull(),
    currency: text('currency').notNull(),
    total: numeric('total', MONEY).notNull(),
    remaining: numeric('remaining', MONEY).notNull(),
    status: text('status').$type<'open' | 'applied' | 'voided' | 'deleted'>().notNull(),
    allocations: jsonb('allocations')
      .$type<{ invoiceExternalId: string; amount: string }[]>()
      .notNull()
      .default([]),
    platformUpdatedAt: timestamp('platform_updated_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('credit_notes_org_conn_ext_uq').on(t.organizationId, t.connectionId, t.externalId),
    index('credit_notes_org_customer_idx').on(t.organizationId, t.customerId),
  ],
);
