/**
 * The one interface every accounting platform implements, and the canonical records it emits.
 *
 * Conventions (shared by every connector, checked by test/connectors/canonical.test.ts):
 * - money is a decimal string with no exponent ("1234.50", "-12", "0"); never a JS number;
 * - dates without time are `YYYY-MM-DD`; timestamps are ISO 8601 in UTC;
 * - field names are camelCase; ids from the platform are strings (`externalId`);
 * - invoice status is one of `open | paid | voided | deleted`, or `draft` for documents that are
 *   not yet receivable (the sync service does not ingest drafts).
 * - a record whose status is `deleted` (customers: `deleted: true`) may be known by its id only
 *   (QuickBooks CDC answers `{"Id":"8","status":"Deleted"}`): its other fields are then
 *   placeholders (`''`, `'0'`, `'1970-01-01'`), so ingest updates the status of the stored row
 *   and nothing else, and ignores a deletion of a record it never stored.
 */
import type { Logger } from 'pino';

export type Platform = 'quickbooks' | 'xero';
export const PLATFORMS: readonly Platform[] = ['quickbooks', 'xero'] as const;

export type Money = string;
export type IsoDate = string;
export type IsoTimestamp = string;

export interface CanonicalContact {
  externalId: string | null;
  name: string | null;
  email: string | null;
  phone: string | null;
  /** billing = receives invoices and reminders; ap = accounts payable person; other */
  role: 'billing' | 'ap' | 'other';
  isPrimary: boolean;
}

export interface CanonicalAddress {
  line1: string | null;
  line2: string | null;
  city: string | null;
  region: string | null;
  postalCode: string | null;
  country: string | null;
}

export interface CanonicalCustomer {
  externalId: string;
  /** QuickBooks sub-customers keep a link to their parent; Xero has none. */
  parentExternalId: string | null;
  name: string;
  email: string | null;
  phone: string | null;
  currency: string | null;
  /** Open balance as the platform reports it, when it does. */
  balance: Money | null;
  /** Payment terms: platform id/name and the net days when known. */
  terms: { externalId: string | null; name: string | null; dueDays: number | null } | null;
  address: CanonicalAddress | null;
  active: boolean;
  /** true when the platform says the record was deleted/archived away. */
  deleted: boolean;
  contacts: CanonicalContact[];
  updatedAt: IsoTimestamp | null;
}

export type InvoiceStatus = 'open' | 'paid' | 'voided' | 'deleted' | 'draft';

export interface CanonicalInvoiceLine {
  description: string | null;
  amount: Money;
}

export interface CanonicalInvoice {
  externalId: string;
  number: string | null;
  customerExternalId: string;
  currency: string;
  issueDate: IsoDate;
  dueDate: IsoDate;
  total: Money;
  /** Amount still owed, from the platform (QuickBooks `Balance`, Xero `AmountDue`). */
  balance: Money;
  /** Balance in the company's home currency, for multicurrency invoices. */
  homeBalance: Money | null;
  exchangeRate: string | null;
  status: InvoiceStatus;
  /** The platform's own status word, kept for display and debugging. */
  platformStatus: string;
  onlinePaymentUrl: string | null;
  /** First lines only (at most 20) and the line count: enough to show what an invoice is for. */
  lines: CanonicalInvoiceLine[];
  lineCount: number;
  /** Concurrency token for sparse updates (QuickBooks SyncToken); null where none. */
  syncToken: string | null;
  updatedAt: IsoTimestamp | null;
}

export interface CanonicalAllocation {
  invoiceExternalId: string;
  amount: Money;
}

export interface CanonicalPayment {
  externalId: string;
  customerExternalId: string | null;
  date: IsoDate;
  amount: Money;
  currency: string;
  method: string | null;
  reference: string | null;
  /** `prepayment` / `overpayment` are Xero's, folded in as they affect balances. */
  kind: 'payment' | 'prepayment' | 'overpayment';
  status: 'active' | 'voided' | 'deleted';
  allocations: CanonicalAllocation[];
  updatedAt: IsoTimestamp | null;
}

export interface CanonicalCreditNote {
  externalId: string;
  number: string | null;
  customerExternalId: string;
  date: IsoDate;
  currency: string;
  total: Money;
  /** Amount not yet applied to invoices or refunded. */
  remaining: Money;
  status: 'open' | 'applied' | 'voided' | 'deleted' | 'draft';
  allocations: CanonicalAllocation[];
  updatedAt: IsoTimestamp | null;
}

export type EntityKind = 'customers' | 'invoices' | 'payments' | 'creditNotes';

/** A record the connector could not map; the sync goes on and reports it. */
export interface RecordError {
  entity: EntityKind;
  externalId: string | null;
  reason: string;
}

export interface SyncBatch {
  entity: EntityKind;
  customers?: CanonicalCustomer[];
  invoices?: CanonicalInvoice[];
  payments?: CanonicalPayment[];
  creditNotes?: CanonicalCreditNote[];
  errors: RecordError[];
  /**
   * The cursor state to persist once this batch is safely written. The sync service writes
   * the batch and this cursor in one transaction, so an interrupted sync resumes from here.
   * Opaque to everything but the connector that made it (must be JSON-serialisable).
   */
  cursor: unknown;
  /** Progress for the UI: records done so far in this run and the total when known. */
  progress?: { done: number; total: number | null };
}

export type SyncMode = 'full' | 'incremental';

export interface SyncRequest {
  /** `incremental` may fall back to full by itself (e.g. a QuickBooks cursor older than 30 days). */
  mode: SyncMode;
  /** The last cursor persisted for this connection, or null on first sync. */
  cursor: unknown;
}

export interface EntityRef {
  entity: EntityKind;
  externalId: string;
}

export interface WebhookEvent {
  /** QuickBooks realmId or Xero tenantId. */
  externalTenantId: string;
  entity: EntityKind | 'other';
  externalId: string;
  operation: 'create' | 'update' | 'delete' | 'void' | 'merge' | 'other';
  occurredAt: IsoTimestamp | null;
  /** Stable id used to deduplicate repeated deliveries. */
  eventId: string;
}

export interface OAuthTokens {
  accessToken: string;
  refreshToken: string;
  accessTokenExpiresAt: Date;
  refreshTokenExpiresAt: Date | null;
  idToken?: string | null;
  scope?: string | null;
}

export interface ConnectedTenant {
  externalTenantId: string;
  name: string | null;
  /** Xero's authEventId: which tenants this very grant added. */
  authEventId?: string | null;
}

export interface OAuthIdentity {
  subject: string;
  email: string | null;
  name: string | null;
}

export interface ExchangeResult {
  tokens: OAuthTokens;
  /** QuickBooks: the one realm of the callback; Xero: every tenant of the grant. */
  tenants: ConnectedTenant[];
  identity: OAuthIdentity | null;
}

/**
 * What a connector needs to call the platform for one connection. The token manager behind
 * `getAccessToken` refreshes ahead of expiry with one refresh at a time per connection.
 */
export interface ConnectorContext {
  connectionId: string;
  organizationId: string;
  externalTenantId: string;
  /** Returns a valid access token; `force` refreshes even if the stored one looks valid. */
  getAccessToken(force?: boolean): Promise<string>;
  logger: Logger;
  /** Incremented by the connector for every HTTP request it makes to the platform. */
  stats: { apiCalls: number; rateLimited: number };
  signal?: AbortSignal;
}

export interface WriteNoteRequest {
  invoiceExternalId: string;
  /** Short, dated text. Connectors split or summarise to the platform's limits. */
  text: string;
  /** Stable key: a retry with the same key never writes the note twice. */
  idempotencyKey: string;
}

export interface CreatePaymentRequest {
  customerExternalId: string;
  date: IsoDate;
  currency: string;
  amount: Money;
  allocations: CanonicalAllocation[];
  reference: string | null;
  /** Xero: the bank account code/id chosen by the firm; QuickBooks: deposit account id (optional). */
  accountRef: string | null;
  idempotencyKey: string;
}

export interface AccountingConnector {
  readonly platform: Platform;
  readonly displayName: string;

  oauth: {
    /** URL to send the clerk's browser to. `signIn` asks for OpenID scopes too. */
    authorizationUrl(p: { state: string; redirectUri: string; signIn?: boolean }): string;
    /** Trade the callback URL (with `code`, `state`, `realmId`…) for tokens and tenants. */
    exchangeCode(p: { callbackUrl: string; redirectUri: string }): Promise<ExchangeResult>;
    /** Trade a refresh token for new tokens (the refresh token may rotate). */
    refresh(refreshToken: string): Promise<OAuthTokens>;
    /** Revoke the grant (disconnect). */
    revoke(refreshToken: string): Promise<void>;
    /** Tenants reachable with this access token (Xero `/connections`; QuickBooks: none). */
    listTenants(accessToken: string): Promise<ConnectedTenant[]>;
  };

  /** The company / organisation name for the connection page. */
  fetchCompanyName(ctx: ConnectorContext): Promise<string>;

  /** Stream canonical records page by page; never hold the whole company in memory. */
  sync(ctx: ConnectorContext, req: SyncRequest): AsyncIterable<SyncBatch>;

  /** Fetch specific records (webhook notifications), batched per the platform's limits. */
  fetchRecords(ctx: ConnectorContext, refs: EntityRef[]): AsyncIterable<SyncBatch>;

  webhooks: {
    /** Header carrying the signature (lower case). */
    signatureHeader: string;
    /** Constant-time verification of the raw body. */
    verify(rawBody: Buffer, signature: string | undefined, secret: string): boolean;
    /** Parse a verified body into events; throws ConnectorError('validation') on a bad shape. */
    parse(rawBody: Buffer): WebhookEvent[];
  };

  writeNote(ctx: ConnectorContext, req: WriteNoteRequest): Promise<{ externalId: string | null }>;
  createPayment(ctx: ConnectorContext, req: CreatePaymentRequest): Promise<{ externalId: string }>;
  getInvoicePdf(ctx: ConnectorContext, invoiceExternalId: string): Promise<Buffer>;
}
