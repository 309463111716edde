import { and, eq, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type {
  CanonicalCreditNote,
  CanonicalCustomer,
  CanonicalInvoice,
  CanonicalPayment,
  RecordError,
  SyncBatch,
} from '../../../connectors/types';
import { bulkUpsert } from '../../db/bulk';
import type { Queryable } from '../../db/client';
import { contacts, creditNotes, customers, invoices, paymentAllocations, payments } from '../../db/schema';
import { customerContactFieldsOnSync, keepErasedContactsErased } from '../dataRequests/suppression';
import { advanceOnboarding, touchedCustomers } from '../onboarding/detect';

export interface IngestTarget {
  db: Queryable;
  organizationId: string;
  connectionId: string;
}

export interface IngestResult {
  customers: number;
  invoices: number;
  payments: number;
  creditNotes: number;
  errors: RecordError[];
}

/** `column IN (…)` for a large list with ONE parameter (the query builder is slow with thousands). */
const inList = (column: PgColumn, values: string[]) =>
  sql`${column} in (select v::${sql.raw(column.getSQLType())} from jsonb_array_elements_text(${JSON.stringify(values)}::jsonb) as v)`;

/** Write one batch with set-based upserts (a few statements per batch, never one per record). */
export async function ingestBatch(t: IngestTarget, batch: SyncBatch): Promise<IngestResult> {
  const result: IngestResult = {
    customers: 0,
    invoices: 0,
    payments: 0,
    creditNotes: 0,
    errors: [...batch.errors],
  };
  if (batch.customers?.length) result.customers = await upsertCustomers(t, batch.customers);
  if (batch.invoices?.length) result.invoices = await upsertInvoices(t, batch.invoices, result.errors);
  if (batch.payments?.length) result.payments = await upsertPayments(t, batch.payments, result.errors);
  if (batch.creditNotes?.length)
    result.creditNotes = await upsertCreditNotes(t, batch.creditNotes, result.errors);
  // customers first seen after the connection's first sync are onboarded (services/onboarding)
  await advanceOnboarding(t, touchedCustomers(batch));
  return result;
}

function dedupe<T extends { externalId: string }>(rows: T[]): T[] {
  const m = new Map<string, T>();
  for (const r of rows) m.set(r.externalId, r); // the later version of a record wins
  return [...m.values()];
}

const ts = (iso: string | null) => (iso ? new Date(iso) : null);

async function customerIds(t: IngestTarget, externalIds: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(externalIds)];
  if (!unique.length) return new Map();
  const rows = await t.db
    .select({ id: customers.id, externalId: customers.externalId })
    .from(customers)
    .where(
      and(
        eq(customers.organizationId, t.organizationId),
        eq(customers.connectionId, t.connectionId),
        inList(customers.externalId, unique),
      ),
    );
  return new Map(rows.map((r) => [r.externalId, r.id]));
}

/**
 * A deletion carries only the id (the platform forgot the rest): mark the row we have, never
 * upsert placeholder data. Returns how many rows changed.
 */
async function markDeleted(
  t: IngestTarget,
  table: typeof invoices | typeof payments | typeof creditNotes,
  externalIds: string[],
): Promise<number> {
  if (!externalIds.length) return 0;
  const set: Record<string, unknown> = { status: 'deleted', updatedAt: new Date() };
  if (table === invoices) set.balance = '0';
  if (table === creditNotes) set.remaining = '0';
  const rows = await t.db
    .update(table)
    .set(set as never)
    .where(
      and(
        eq(table.organizationId, t.organizationId),
        eq(table.connectionId, t.connectionId),
        inList(table.externalId, externalIds),
      ),
    )
    .returning({ id: table.id });
  return rows.length;
}

async function upsertCustomers(t: IngestTarget, list: CanonicalCustomer[]): Promise<number> {
  const rows = dedupe(list);
  const now = new Date();
  const saved = await bulkUpsert<typeof customers, { id: string; externalId: string }>(
    t.db,
    customers,
    rows.map((c) => ({
      organizationId: t.organizationId,
      connectionId: t.connectionId,
      externalId: c.externalId,
      parentExternalId: c.parentExternalId,
      name: c.name,
      email: c.email,
      phone: c.phone,
      currency: c.currency,
      balance: c.balance,
      terms: c.terms,
      address: c.address,
      active: c.active,
      deletedAt: c.deleted ? now : null,
      platformUpdatedAt: ts(c.updatedAt),
      updatedAt: now,
    })),
    {
      conflict: [customers.organizationId, customers.connectionId, customers.externalId],
      update: [
        customers.parentExternalId,
        customers.name,
        customers.currency,
        customers.balance,
        customers.terms,
        customers.address,
        customers.active,
        customers.deletedAt,
        customers.platformUpdatedAt,
        customers.updatedAt,
      ],
      // an address or number erased on request (data request) is not filled in again
      set: customerContactFieldsOnSync(),
      returning: { id: customers.id, externalId: customers.externalId },
    },
  );
  const idOf = new Map(saved.map((s) => [s.externalId, s.id]));
  const contactRows = new Map<string, typeof contacts.$inferInsert>();
  for (const c of rows) {
    const customerId = idOf.get(c.externalId)!;
    for (const p of c.contacts) {
      const key = p.externalId ?? `${p.role}:${(p.email ?? p.name ?? '').toLowerCase()}`;
      contactRows.set(`${customerId}|${key}`, {
        organizationId: t.organizationId,
        customerId,
        externalKey: key,
        source: 'platform',
        name: p.name,
        email: p.email,
        phone: p.phone,
        role: p.role,
        isPrimary: p.isPrimary,
        updatedAt: now,
      });
    }
  }
  const contactValues = await keepErasedContactsErased(t.db, t.organizationId, [...contactRows.values()]);
  await bulkUpsert(t.db, contacts, contactValues, {
    conflict: [contacts.customerId, contacts.externalKey],
    update: [contacts.role, contacts.isPrimary, contacts.updatedAt],
    // an erased contact (data request) stays erased
    set: {
      name: sql`case when ${contacts.erasedAt} is null then excluded.name end`,
      email: sql`case when ${contacts.erasedAt} is null then excluded.email end`,
      phone: sql`case when ${contacts.erasedAt} is null then excluded.phone end`,
    },
  });
  return rows.length;
}

async function upsertInvoices(
  t: IngestTarget,
  list: CanonicalInvoice[],
  errors: RecordError[],
): Promise<number> {
  const all = dedupe(list);
  const deleted = await markDeleted(
    t,
    invoices,
    all.filter((i) => i.status === 'deleted').map((i) => i.externalId),
  );
  // drafts are not receivable yet: they arrive when they are approved
  const rows = all.filter((i) => i.status !== 'draft' && i.status !== 'deleted');
  if (!rows.length) return deleted;
  const ids = await customerIds(
    t,
    rows.map((r) => r.customerExternalId),
  );
  const now = new Date();
  const values: (typeof invoices.$inferInsert)[] = [];
  for (const i of rows) {
    const customerId = ids.get(i.customerExternalId);
    if (!customerId) {
      errors.push({
        entity: 'invoices',
        externalId: i.externalId,
        reason: `customer ${i.customerExternalId} is unknown (not synced or invalid)`,
      });
      continue;
    }
    values.push({
      organizationId: t.organizationId,
      connectionId: t.connectionId,
      externalId: i.externalId,
      customerId,
      number: i.number,
      currency: i.currency,
      issueDate: i.issueDate,
      dueDate: i.dueDate,
      total: i.total,
      balance: i.balance,
      homeBalance: i.homeBalance,
      exchangeRate: i.exchangeRate,
      status: i.status as 'open' | 'paid' | 'voided',
      platformStatus: i.platformStatus,
      onlinePaymentUrl: i.onlinePaymentUrl,
      lines: i.lines.slice(0, 20),
      lineCount: i.lineCount,
      syncToken: i.syncToken,
      platformUpdatedAt: ts(i.updatedAt),
      paidAt: i.status === 'paid' ? now : null,
      updatedAt: now,
    });
  }
  await bulkUpsert(t.db, invoices, values, {
    conflict: [invoices.organizationId, invoices.connectionId, invoices.externalId],
    update: [
      invoices.customerId,
      invoices.number,
      invoices.currency,
      invoices.issueDate,
      invoices.dueDate,
      invoices.total,
      invoices.balance,
      invoices.homeBalance,
      invoices.exchangeRate,
      invoices.status,
      invoices.platformStatus,
      invoices.onlinePaymentUrl,
      invoices.lines,
      invoices.lineCount,
      invoices.syncToken,
      invoices.platformUpdatedAt,
      invoices.updatedAt,
    ],
    // keep the first moment Duely saw it paid
    set: {
      paid_at: sql`case when excluded.status = 'paid' then coalesce(${invoices.paidAt}, excluded.paid_at) else null end`,
      // a change that moves reminder dates makes the invoice due for planning now (reminders/due.ts)
      next_action_at: sql`case when ${invoices.dueDate} is distinct from excluded.due_date
                                 or ${invoices.issueDate} is distinct from excluded.issue_date
                                 or ${invoices.status} is distinct from excluded.status
                                 or ${invoices.balance} is distinct from excluded.balance
                               then null else ${invoices.nextActionAt} end`,
    },
  });
  return values.length + deleted;
}

async function upsertPayments(
  t: IngestTarget,
  list: CanonicalPayment[],
  errors: RecordError[],
): Promise<number> {
  const all = dedupe(list);
  const deleted = await markDeleted(
    t,
    payments,
    all.filter((p) => p.status === 'deleted').map((p) => p.externalId),
  );
  const rows = all.filter((p) => p.status !== 'deleted');
  if (!rows.length) return deleted;
  const ids = await customerIds(
    t,
    rows.flatMap((r) => (r.customerExternalId ? [r.customerExternalId] : [])),
  );
  const now = new Date();
  const saved = await bulkUpsert<typeof payments, { id: string; externalId: string }>(
    t.db,
    payments,
    rows.map((p) => ({
      organizationId: t.organizationId,
      connectionId: t.connectionId,
      externalId: p.externalId,
      customerId: p.customerExternalId ? (ids.get(p.customerExternalId) ?? null) : null,
      date: p.date,
      amount: p.amount,
      currency: p.currency,
      method: p.method,
      reference: p.reference,
      kind: p.kind,
      status: p.status,
      source: 'platform' as const,
      platformUpdatedAt: ts(p.updatedAt),
      updatedAt: now,
    })),
    {
      conflict: [payments.organizationId, payments.connectionId, payments.externalId],
      update: [
        payments.customerId,
        payments.date,
        payments.amount,
        payments.currency,
        payments.method,
        payments.reference,
        payments.kind,
        payments.status,
        payments.platformUpdatedAt,
        payments.updatedAt,
      ],
      returning: { id: payments.id, externalId: payments.externalId },
    },
  );
  const paymentId = new Map(saved.map((s) => [s.externalId, s.id]));
  for (const p of rows) {
    if (p.customerExternalId && !ids.get(p.customerExternalId)) {
      errors.push({
        entity: 'payments',
        externalId: p.externalId,
        reason: `customer ${p.customerExternalId} is unknown; payment kept without a customer`,
      });
    }
  }
  // allocations are replaced as a set per payment
  await t.db
    .delete(paymentAllocations)
    .where(
      and(
        eq(paymentAllocations.organizationId, t.organizationId),
        inList(paymentAllocations.paymentId, [...paymentId.values()]),
      ),
    );
  const invExt = [...new Set(rows.flatMap((p) => p.allocations.map((a) => a.invoiceExternalId)))];
  const invRows = invExt.length
    ? await t.db
        .select({ id: invoices.id, externalId: invoices.externalId })
        .from(invoices)
        .where(
          and(
            eq(invoices.organizationId, t.organizationId),
            eq(invoices.connectionId, t.connectionId),
            inList(invoices.externalId, invExt),
          ),
        )
    : [];
  const invId = new Map(invRows.map((r) => [r.externalId, r.id]));
  const allocs = new Map<string, typeof paymentAllocations.$inferInsert>();
  for (const p of rows) {
    for (const a of p.allocations) {
      allocs.set(`${p.externalId}|${a.invoiceExternalId}`, {
        organizationId: t.organizationId,
        paymentId: paymentId.get(p.externalId)!,
        invoiceId: invId.get(a.invoiceExternalId) ?? null,
        invoiceExternalId: a.invoiceExternalId,
        amount: a.amount,
      });
    }
  }
  await bulkUpsert(t.db, paymentAllocations, [...allocs.values()], {});
  return rows.length + deleted;
}

async function upsertCreditNotes(
  t: IngestTarget,
  list: CanonicalCreditNote[],
  errors: RecordError[],
): Promise<number> {
  const all = dedupe(list);
  const deleted = await markDeleted(
    t,
    creditNotes,
    all.filter((c) => c.status === 'deleted').map((c) => c.externalId),
  );
  const rows = all.filter((c) => c.status !== 'draft' && c.status !== 'deleted');
  if (!rows.length) return deleted;
  const ids = await customerIds(
    t,
    rows.map((r) => r.customerExternalId),
  );
  const now = new Date();
  for (const c of rows) {
    if (!ids.get(c.customerExternalId)) {
      errors.push({
        entity: 'creditNotes',
        externalId: c.externalId,
        reason: `customer ${c.customerExternalId} is unknown; credit note kept without a customer`,
      });
    }
  }
  await bulkUpsert(
    t.db,
    creditNotes,
    rows.map((c) => ({
      organizationId: t.organizationId,
      connectionId: t.connectionId,
      externalId: c.externalId,
      customerId: ids.get(c.customerExternalId) ?? null,
      number: c.number,
      date: c.date,
      currency: c.currency,
      total: c.total,
      remaining: c.remaining,
      status: c.status as 'open' | 'applied' | 'voided',
      allocations: c.allocations,
      platformUpdatedAt: ts(c.updatedAt),
      updatedAt: now,
    })),
    {
      conflict: [creditNotes.organizationId, creditNotes.connectionId, creditNotes.externalId],
      update: [
        creditNotes.customerId,
        creditNotes.number,
        creditNotes.date,
        creditNotes.currency,
        creditNotes.total,
        creditNotes.remaining,
        creditNotes.status,
        creditNotes.allocations,
        creditNotes.platformUpdatedAt,
        creditNotes.updatedAt,
      ],
    },
  );
  return rows.length + deleted;
}
