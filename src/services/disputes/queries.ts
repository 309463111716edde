/**
 * Reading cases: API pages (keyset by id), the clerk's inbox (open first, breached first), and one
 * case's thread. With `customerId` every read is limited to that customer's cases: another
 * customer's case is "not found", exactly like one that does not exist.
 */
import { and, asc, eq, gt, inArray, isNull, lt, ne, sql } from 'drizzle-orm';
import {
  attachments,
  customers,
  disputeInvoices,
  disputeMessages,
  disputes,
  invoices,
  users,
} from '../../db/schema';
import { isUuid, type OrgScope } from '../../db/scope';
import { isSlaBreached } from '../../domain/disputes';
import { formatMoney, parseMoney } from '../../domain/money';
import { NotFoundError, ValidationError } from '../errors';

export interface DisputeView {
  id: string;
  reference: string;
  customerId: string;
  customerName: string;
  contactId: string | null;
  kind: string;
  category: string;
  status: string;
  outcome: string | null;
  ownerUserId: string | null;
  ownerEmail: string | null;
  invoiceIds: string[];
  source: string;
  replyEmail: string | null;
  firstResponseDueAt: string;
  firstResponseAt: string | null;
  breached: boolean;
  resolvedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

const STATUSES = ['open', 'waiting_on_customer', 'resolved'] as const;

function statusFilter(status: string | undefined) {
  if (!status || status === 'all') return undefined;
  if (status === 'unresolved') return ne(disputes.status, 'resolved');
  if (!(STATUSES as readonly string[]).includes(status))
    throw new ValidationError('must be open, waiting_on_customer, resolved, unresolved or all', 'status');
  return eq(disputes.status, status as (typeof STATUSES)[number]);
}

const breachedFilter = (now: Date) =>
  and(
    ne(disputes.status, 'resolved'),
    isNull(disputes.firstResponseAt),
    lt(disputes.firstResponseDueAt, now),
  );

const baseSelect = (scope: OrgScope) =>
  scope.db
    .select({ d: disputes, customerName: customers.name, ownerEmail: users.email })
    .from(disputes)
    .innerJoin(customers, eq(customers.id, disputes.customerId))
    .leftJoin(users, eq(users.id, disputes.ownerUserId));

type Joined = { d: typeof disputes.$inferSelect; customerName: string; ownerEmail: string | null };

async function toViews(scope: OrgScope, rows: Joined[], now: Date): Promise<DisputeView[]> {
  if (rows.length === 0) return [];
  const links = await scope.db
    .select({ disputeId: disputeInvoices.disputeId, invoiceId: disputeInvoices.invoiceId })
    .from(disputeInvoices)
    .where(
      and(
        eq(disputeInvoices.organizationId, scope.organizationId),
        inArray(
          disputeInvoices.disputeId,
          rows.map((r) => r.d.id),
        ),
      ),
    )
    .orderBy(asc(disputeInvoices.invoiceId));
  return rows.map(({ d, customerName, ownerEmail }) => ({
    id: d.id,
    reference: d.reference,
    customerId: d.customerId,
    customerName,
    contactId: d.contactId,
    kind: d.kind,
    category: d.category,
    status: d.status,
    outcome: d.outcome,
    ownerUserId: d.ownerUserId,
    ownerEmail,
    invoiceIds: links.filter((l) => l.disputeId === d.id).map((l) => l.invoiceId),
    source: d.source,
    replyEmail: d.replyEmail,
    firstResponseDueAt: d.firstResponseDueAt.toISOString(),
    firstResponseAt: d.firstResponseAt ? d.firstResponseAt.toISOString() : null,
    breached: isSlaBreached(d, now),
    resolvedAt: d.resolvedAt ? d.resolvedAt.toISOString() : null,
    createdAt: d.createdAt.toISOString(),
    updatedAt: d.updatedAt.toISOString(),
  }));
}

export interface DisputeFilter {
  customerId?: string;
  status?: string;
  /** Only open or waiting cases never answered and past their first-response deadline. */
  breached?: boolean;
  limit?: number;
  cursor?: string;
  /** The clock for the SLA (default: now). */
  now?: Date;
}

/** Pages of a firm's cases in id order (`limit` ≤ 500). */
export async function listDisputes(
  scope: OrgScope,
  filter: DisputeFilter = {},
): Promise<{ data: DisputeView[]; nextCursor: string | null }> {
  const now = filter.now ?? new Date();
  const limit = Math.min(Math.max(Math.trunc(filter.limit ?? 100), 1), 500);
  if (filter.customerId && !isUuid(filter.customerId)) return { data: [], nextCursor: null };
  let after: string | null = null;
  if (filter.cursor) {
    after = Buffer.from(filter.cursor, 'base64url').toString('utf8');
    if (!isUuid(after)) throw new ValidationError('is not valid', 'cursor');
  }
  const rows = await baseSelect(scope)
    .where(
      scope.where(
        disputes,
        filter.customerId ? eq(disputes.customerId, filter.customerId) : undefined,
        statusFilter(filter.status),
        filter.breached ? breachedFilter(now) : undefined,
        after ? gt(disputes.id, after) : undefined,
      ),
    )
    .orderBy(asc(disputes.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  return {
    data: await toViews(scope, page, now),
    nextCursor:
      rows.length > limit ? Buffer.from(page[page.length - 1]!.d.id, 'utf8').toString('base64url') : null,
  };
}

/**
 * The clerk's inbox (or a customer's list): unresolved cases first, those past their SLA first
 * among them, then by deadline; resolved ones after, latest first. At most `limit`.
 */
export async function disputeInbox(
  scope: OrgScope,
  filter: { customerId?: string; status?: string; breached?: boolean; limit?: number; now?: Date } = {},
): Promise<DisputeView[]> {
  const now = filter.now ?? new Date();
  if (filter.customerId !== undefined && !isUuid(filter.customerId)) return [];
  const rows = await baseSelect(scope)
    .where(
      scope.where(
        disputes,
        filter.customerId ? eq(disputes.customerId, filter.customerId) : undefined,
        statusFilter(filter.status),
        filter.breached ? breachedFilter(now) : undefined,
      ),
    )
    .orderBy(
      sql`case when ${disputes.status} = 'resolved' then 1 else 0 end`,
      sql`case when ${disputes.status} <> 'resolved' then ${disputes.firstResponseDueAt} end asc nulls last`,
      sql`${disputes.resolvedAt} desc nulls last`,
      asc(disputes.id),
    )
    .limit(Math.min(filter.limit ?? 200, 500));
  const views = await toViews(scope, rows, now);
  // breached first among the unresolved (their deadlines are the earliest anyway, but an answered
  // case with an early deadline is not breached)
  return [...views.filter((v) => v.breached), ...views.filter((v) => !v.breached)];
}

export interface ThreadMessage {
  id: string;
  author: 'customer' | 'clerk' | 'system';
  authorName: string | null;
  body: string;
  createdAt: string;
  emailed: boolean;
  attachments: { id: string; filename: string; contentType: string; size: number }[];
}

export interface DisputeThread {
  dispute: DisputeView;
  invoices: {
    id: string;
    number: string | null;
    dueDate: string;
    balance: string;
    currency: string;
    status: string;
  }[];
  messages: ThreadMessage[];
}

/** One case with its invoices and messages; with `customerId`, only that customer's case. */
export async function getDisputeThread(
  scope: OrgScope,
  disputeId: string,
  opts: { customerId?: string; now?: Date } = {},
): Promise<DisputeThread> {
  if (!isUuid(disputeId)) throw new NotFoundError('dispute');
  const [row] = await baseSelect(scope)
    .where(
      scope.where(
        disputes,
        eq(disputes.id, disputeId),
        opts.customerId !== undefined ? eq(disputes.customerId, opts.customerId) : undefined,
      ),
    )
    .limit(1);
  if (!row) throw new NotFoundError('dispute');
  const [view] = await toViews(scope, [row], opts.now ?? new Date());
  const invs = view!.invoiceIds.length
    ? await scope.db
        .select({
          id: invoices.id,
          number: invoices.number,
          dueDate: invoices.dueDate,
          balance: invoices.balance,
          currency: invoices.currency,
          status: invoices.status,
        })
        .from(invoices)
        .where(scope.where(invoices, inArray(invoices.id, view!.invoiceIds)))
        .orderBy(asc(invoices.dueDate))
    : [];
  const msgs = await scope.db
    .select({
      id: disputeMessages.id,
      author: disputeMessages.author,
      authorName: sql<string | null>`coalesce(${users.name}, ${users.email})`,
      body: disputeMessages.body,
      createdAt: disputeMessages.createdAt,
      emailId: disputeMessages.emailId,
    })
    .from(disputeMessages)
    .leftJoin(users, eq(users.id, disputeMessages.userId))
    .where(scope.where(disputeMessages, eq(disputeMessages.disputeId, disputeId)))
    .orderBy(asc(disputeMessages.createdAt), asc(disputeMessages.id));
  const files = await scope.db
    .select({
      id: attachments.id,
      messageId: attachments.messageId,
      filename: attachments.filename,
      contentType: attachments.contentType,
      size: attachments.size,
    })
    .from(attachments)
    .where(scope.where(attachments, eq(attachments.disputeId, disputeId)))
    .orderBy(asc(attachments.createdAt));
  return {
    dispute: view!,
    invoices: invs.map((i) => ({ ...i, balance: formatMoney(parseMoney(i.balance), i.currency) })),
    messages: msgs.map((m) => ({
      id: m.id,
      author: m.author,
      authorName: m.authorName,
      body: m.body,
      createdAt: m.createdAt.toISOString(),
      emailed: m.emailId !== null,
      attachments: files
        .filter((f) => f.messageId === m.id)
        .map(({ id, filename, contentType, size }) => ({ id, filename, contentType, size })),
    })),
  };
}

/** A customer's invoices that a dispute may name (not cancelled), newest due first. */
export async function disputableInvoices(
  scope: OrgScope,
  customerId: string,
): Promise<
  { id: string; number: string | null; dueDate: string; balance: string; currency: string; status: string }[]
> {
  const rows = await scope.db
    .select({
      id: invoices.id,
      number: invoices.number,
      dueDate: invoices.dueDate,
      balance: invoices.balance,
      currency: invoices.currency,
      status: invoices.status,
    })
    .from(invoices)
    .where(
      scope.where(invoices, eq(invoices.customerId, customerId), inArray(invoices.status, ['open', 'paid'])),
    )
    .orderBy(sql`${invoices.dueDate} desc`, asc(invoices.id))
    .limit(200);
  return rows.map((i) => ({ ...i, balance: formatMoney(parseMoney(i.balance), i.currency) }));
}
