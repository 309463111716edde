/**
 * The customer page's facts: the header (balance, overdue, risk and why, sequence and where it
 * comes from, pause, pilot, onboarding), contacts with their preferences and status, open invoices
 * with aging, promises with the kept rate, open disputes, live portal links. A handful of bounded
 * queries, each scoped to the firm and the customer.
 */
import { asc, count, desc, eq, gt, inArray, isNull, ne, sql } from 'drizzle-orm';
import { queryRows } from '../../db/client';
import {
  connections,
  contacts,
  customers,
  disputeInvoices,
  disputes,
  invoices,
  portalTokens,
  promiseInvoices,
  promises,
} from '../../db/schema';
import { isUuid, type OrgScope } from '../../db/scope';
import { agingBucket, daysPastDue, type AgingBucket } from '../../domain/aging';
import { riskReasons } from '../../domain/customerRisk';
import { formatMoney, parseMoney } from '../../domain/money';
import { NotFoundError } from '../errors';
import { promiseKeptRate, type KeptRate } from '../promises';
import { effectiveSequence, firmView, type FirmView, type SequenceSource } from './firm';
import { customerSummary, type CustomerListRow } from './list';

export type Customer = typeof customers.$inferSelect;
export type Contact = typeof contacts.$inferSelect;

export interface ContactView {
  id: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  role: string;
  isPrimary: boolean;
  source: string;
  preferredChannel: string | null;
  contactHours: Contact['contactHours'];
  timezone: string | null;
  /** ok, bounced, unsubscribed or erased (erased wins). */
  status: 'ok' | 'bounced' | 'unsubscribed' | 'erased';
  unsubscribedAt: Date | null;
  erasedAt: Date | null;
}

export interface OpenInvoice {
  id: string;
  number: string;
  issueDate: string;
  dueDate: string;
  currency: string;
  total: string;
  balance: string;
  daysOverdue: number;
  agingBucket: AgingBucket;
  promised: boolean;
  disputed: boolean;
}

export interface PromiseView {
  id: string;
  amount: string;
  currency: string;
  promisedDate: string;
  status: string;
  source: string;
  amountPaid: string;
  createdAt: Date;
}

export interface DisputeView {
  id: string;
  reference: string;
  kind: string;
  category: string;
  status: string;
  createdAt: Date;
  firstResponseDueAt: Date;
  invoiceNumbers: string[];
}

export interface CustomerDetail {
  firm: FirmView;
  customer: Customer;
  platform: string;
  summary: CustomerListRow;
  riskReasons: string[];
  sequence: { key: string | null; name: string | null; source: SequenceSource; tag?: string };
  /** Paused today (a pause until a past date has ended). */
  paused: boolean;
  contacts: ContactView[];
  openInvoices: OpenInvoice[];
  /** Open balance per currency (one line in the usual case). */
  balances: { currency: string; balance: string; overdue: string }[];
  promises: PromiseView[];
  /** The promise service's kept rate for this customer (percent, null when none settled). */
  promiseKeptRate: KeptRate;
  openDisputes: DisputeView[];
  livePortalLinks: number;
}

/** The customer, scoped to the firm, or a 404. Deleted customers are not shown. */
export async function findCustomer(scope: OrgScope, customerId: string): Promise<Customer> {
  const c = await scope.findById(customers, customerId);
  if (!c || c.deletedAt) throw new NotFoundError('customer');
  return c;
}

/** A contact of this customer (never another customer's or firm's), or a 404. */
export async function findContact(scope: OrgScope, customerId: string, contactId: string): Promise<Contact> {
  const k = await scope.findById(contacts, contactId);
  if (!k || k.customerId !== customerId) throw new NotFoundError('contact');
  return k;
}

export function contactStatus(
  k: Pick<Contact, 'erasedAt' | 'emailStatus' | 'unsubscribedAt'>,
): ContactView['status'] {
  if (k.erasedAt) return 'erased';
  if (k.emailStatus === 'bounced') return 'bounced';
  if (k.unsubscribedAt) return 'unsubscribed';
  return 'ok';
}

export async function customerContacts(scope: OrgScope, customerId: string): Promise<ContactView[]> {
  const rows = await scope.db
    .select()
    .from(contacts)
    .where(scope.where(contacts, eq(contacts.customerId, customerId)))
    .orderBy(desc(contacts.isPrimary), asc(contacts.name), asc(contacts.id));
  return rows.map((k) => ({
    id: k.id,
    name: k.name,
    email: k.email,
    phone: k.phone,
    role: k.role,
    isPrimary: k.isPrimary,
    source: k.source,
    preferredChannel: k.preferredChannel,
    contactHours: k.contactHours,
    timezone: k.timezone,
    status: contactStatus(k),
    unsubscribedAt: k.unsubscribedAt,
    erasedAt: k.erasedAt,
  }));
}

export async function openInvoicesOf(
  scope: OrgScope,
  customerId: string,
  today: string,
): Promise<OpenInvoice[]> {
  const rows = await queryRows<{
    id: string;
    number: string | null;
    externalId: string;
    issueDate: string;
    dueDate: string;
    currency: string;
    total: string;
    balance: string;
    promised: boolean;
    disputed: boolean;
  }>(
    scope.db,
    sql`select i.id, i.number, i.external_id as "externalId", i.issue_date::text as "issueDate",
               i.due_date::text as "dueDate", i.currency, i.total::text as total, i.balance::text as balance,
               exists (select 1 from ${promiseInvoices} pi join ${promises} p on p.id = pi.promise_id
                        where pi.organization_id = i.organization_id and pi.invoice_id = i.id
                          and p.status = 'active') as promised,
               exists (select 1 from ${disputeInvoices} di join ${disputes} d on d.id = di.dispute_id
                        where di.organization_id = i.organization_id and di.invoice_id = i.id
                          and d.status <> 'resolved') as disputed
          from ${invoices} i
         where i.organization_id = ${scope.organizationId} and i.customer_id = ${customerId}
           and i.status = 'open'
         order by i.due_date, i.number, i.id`,
  );
  return rows.map((r) => {
    const days = daysPastDue(r.dueDate, today);
    return {
      id: r.id,
      number: r.number ?? r.externalId,
      issueDate: r.issueDate,
      dueDate: r.dueDate,
      currency: r.currency,
      total: formatMoney(parseMoney(r.total), r.currency),
      balance: formatMoney(parseMoney(r.balance), r.currency),
      daysOverdue: Math.max(0, days),
      agingBucket: agingBucket(days),
      promised: r.promised,
      disputed: r.disputed,
    };
  });
}

function balancesOf(list: OpenInvoice[]): CustomerDetail['balances'] {
  const by = new Map<string, { balance: bigint; overdue: bigint }>();
  for (const i of list) {
    const cur = by.get(i.currency) ?? { balance: 0n, overdue: 0n };
    cur.balance += parseMoney(i.balance);
    if (i.daysOverdue > 0) cur.overdue += parseMoney(i.balance);
    by.set(i.currency, cur);
  }
  return [...by.entries()].map(([currency, v]) => ({
    currency,
    balance: formatMoney(v.balance, currency),
    overdue: formatMoney(v.overdue, currency),
  }));
}

export async function customerPromises(
  scope: OrgScope,
  customerId: string,
  limit = 20,
): Promise<PromiseView[]> {
  const rows = await scope.db
    .select()
    .from(promises)
    .where(scope.where(promises, eq(promises.customerId, customerId)))
    .orderBy(desc(promises.createdAt))
    .limit(limit);
  return rows.map((p) => ({
    id: p.id,
    amount: formatMoney(parseMoney(p.amount), p.currency),
    currency: p.currency,
    promisedDate: p.promisedDate,
    status: p.status,
    source: p.source,
    amountPaid: formatMoney(parseMoney(p.amountPaid), p.currency),
    createdAt: p.createdAt,
  }));
}

export async function openDisputesOf(scope: OrgScope, customerId: string): Promise<DisputeView[]> {
  const rows = await queryRows<{
    id: string;
    reference: string;
    kind: string;
    category: string;
    status: string;
    createdAt: Date | string;
    firstResponseDueAt: Date | string;
    invoiceNumbers: string[] | null;
  }>(
    scope.db,
    sql`select d.id, d.reference, d.kind, d.category, d.status, d.created_at as "createdAt",
               d.first_response_due_at as "firstResponseDueAt",
               (select array_agg(coalesce(i.number, i.external_id) order by i.due_date)
                  from ${disputeInvoices} di join ${invoices} i on i.id = di.invoice_id
                 where di.organization_id = d.organization_id and di.dispute_id = d.id) as "invoiceNumbers"
          from ${disputes} d
         where d.organization_id = ${scope.organizationId} and d.customer_id = ${customerId}
           and d.status <> 'resolved'
         order by d.created_at desc`,
  );
  return rows.map((r) => ({
    ...r,
    createdAt: new Date(r.createdAt),
    firstResponseDueAt: new Date(r.firstResponseDueAt),
    invoiceNumbers: r.invoiceNumbers ?? [],
  }));
}

export async function getCustomerDetail(
  scope: OrgScope,
  customerId: string,
  now: Date,
): Promise<CustomerDetail> {
  const customer = await findCustomer(scope, customerId);
  const firm = await firmView(scope, now);
  const summary = await customerSummary(scope, firm, customerId, now);
  if (!summary) throw new NotFoundError('customer');
  const [conn] = await scope.db
    .select({ platform: connections.platform })
    .from(connections)
    .where(scope.where(connections, eq(connections.id, customer.connectionId)));
  const openInvoices = await openInvoicesOf(scope, customerId, firm.today);
  const seq = effectiveSequence(customer, firm);
  const [links] = await scope.db
    .select({ n: count() })
    .from(portalTokens)
    .where(
      scope.where(
        portalTokens,
        eq(portalTokens.customerId, customerId),
        isNull(portalTokens.revokedAt),
        gt(portalTokens.expiresAt, now),
      ),
    );
  return {
    firm,
    customer,
    platform: conn?.platform ?? '',
    summary,
    riskReasons: riskReasons({
      maxDaysOverdue: summary.maxDaysOverdue,
      brokenPromises: summary.brokenPromises,
      openDisputes: summary.openDisputes,
      bounced: summary.bounced,
    }),
    sequence: { ...seq, name: firm.sequences.find((s) => s.key === seq.key)?.name ?? null },
    paused: Boolean(customer.pausedUntil && customer.pausedUntil >= firm.today),
    contacts: await customerContacts(scope, customerId),
    openInvoices,
    balances: balancesOf(openInvoices),
    promises: await customerPromises(scope, customerId),
    promiseKeptRate: await promiseKeptRate(scope, { customerId }),
    openDisputes: await openDisputesOf(scope, customerId),
    livePortalLinks: Number(links?.n ?? 0),
  };
}

/** Oldest open invoice with a balance (where a note goes when the clerk picks none). */
export async function oldestOpenInvoiceId(scope: OrgScope, customerId: string): Promise<string | null> {
  const [row] = await scope.db
    .select({ id: invoices.id })
    .from(invoices)
    .where(
      scope.where(
        invoices,
        eq(invoices.customerId, customerId),
        eq(invoices.status, 'open'),
        ne(invoices.balance, '0'),
      ),
    )
    .orderBy(asc(invoices.dueDate), asc(invoices.issueDate), asc(invoices.id))
    .limit(1);
  return row?.id ?? null;
}

/** The ids given that are this customer's invoices (others are ignored by the caller's check). */
export async function customerInvoiceIds(
  scope: OrgScope,
  customerId: string,
  ids: string[],
): Promise<string[]> {
  const valid = ids.filter(isUuid);
  if (!valid.length) return [];
  const rows = await scope.db
    .select({ id: invoices.id })
    .from(invoices)
    .where(scope.where(invoices, eq(invoices.customerId, customerId), inArray(invoices.id, valid)));
  return rows.map((r) => r.id);
}
