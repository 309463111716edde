/**
 * The customer portal: magic-link tokens (hashed; the encrypted value lets the firm re-show a
 * link it sent), Stripe Checkout sessions, cached invoice PDFs.
 */
import { sql } from 'drizzle-orm';
import { index, jsonb, numeric, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { bytea } from './cases';
import { createdAt, id, MONEY } from './common';
import { contacts, customers, invoices, payments } from './ledger';
import { organizations, users } from './organizations';

const orgRef = () =>
  uuid('organization_id')
    .notNull()
    .references(() => organizations.id, { onDelete: 'cascade' });

export type PortalTokenOrigin = 'message' | 'clerk' | 'renewal';

export const portalTokens = pgTable(
  'portal_tokens',
  {
    id: id(),
    organizationId: orgRef(),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    contactId: uuid('contact_id').references(() => contacts.id, { onDelete: 'set null' }),
    /** SHA-256 of the token: the only form a lookup uses. */
    tokenHash: text('token_hash').notNull(),
    /** The token encrypted with the key ring (AAD = row id), so a clerk can copy a link sent. */
    tokenCiphertext: text('token_ciphertext'),
    origin: text('origin').$type<PortalTokenOrigin>().notNull(),
    createdByUserId: uuid('created_by_user_id').references(() => users.id, { onDelete: 'set null' }),
    /** Rolling: each use moves it forward by the firm's link lifetime. */
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('portal_tokens_hash_uq').on(t.tokenHash),
    index('portal_tokens_org_customer_idx').on(t.organizationId, t.customerId),
  ],
);

export type CheckoutStatus = 'open' | 'paid' | 'expired' | 'failed';

/** One Stripe Checkout session opened from the portal, with the invoices and amounts it pays. */
export const checkoutSessions = pgTable(
  'checkout_sessions',
  {
    id: id(),
    organizationId: orgRef(),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    providerSessionId: text('provider_session_id').notNull(),
    amount: numeric('amount', MONEY).notNull(),
    currency: text('currency').notNull(),
    allocations: jsonb('allocations').$type<{ invoiceId: string; amount: string }[]>().notNull(),
    status: text('status').$type<CheckoutStatus>().notNull().default('open'),
    paymentId: uuid('payment_id').references(() => payments.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('checkout_sessions_provider_uq').on(t.providerSessionId),
    index('checkout_sessions_org_customer_idx').on(t.organizationId, t.customerId),
  ],
);

/** Invoice PDFs fetched through the connector, kept until the invoice changes on the platform. */
export const invoicePdfs = pgTable(
  'invoice_pdfs',
  {
    invoiceId: uuid('invoice_id')
      .primaryKey()
      .references(() => invoices.id, { onDelete: 'cascade' }),
    organizationId: orgRef(),
    /** The invoice's `platform_updated_at` when fetched: a newer one invalidates the cache. */
    invoiceVersion: text('invoice_version').notNull(),
    content: bytea('content').notNull(),
    fetchedAt: timestamp('fetched_at', { withTimezone: true })
      .notNull()
      .default(sql`now()`),
  },
  (t) => [index('invoice_pdfs_org_idx').on(t.organizationId)],
);
