import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type {
  CanonicalCreditNote,
  CanonicalCustomer,
  CanonicalInvoice,
  CanonicalPayment,
  RecordError,
  SyncBatch,
} from '../../../connectors/types';
import type { Queryable } from '../../db/client';
import { contacts, creditNotes, customers, invoices, paymentAllocations, payments } from '../../db/schema';

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

const excluded = (col: PgColumn) => sql.raw(`excluded."${col.name}"`);
function setExcluded(cols: PgColumn[]): Record<string, SQL> {
  const out: Record<string, SQL> = {};
  for (const c of cols) out[keyOf(c)] = excluded(c);
  return out;
}
// drizzle's set() wants the TS property names; columns know their SQL names only
const keyOf = (c: PgColumn) => c.name.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase());

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
  return result;
}

function dedupe<T extends { externalId: string }>(rows: T[]): T[] {
  const m = new Map<string, T>();
  for (const r of rows) m.set(r.externalId, r); // the later version of a record wins
  return [...m.values()];
}

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
        inArray(customers.externalId, unique),
      ),
    );
  return new Map(rows.map((r) => [r.externalId, r.id]));
}

async function upsertCustomers(t: IngestTarget, list: CanonicalCustomer[]): Promise<number> {
  const rows = dedupe(list);
  const now = new Date();
  const saved = await t.db
    .insert(customers)
    .values(
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
        platformUpdatedAt: c.updatedAt ? new Date(c.updatedAt) : null,
        updatedAt: now,
      })),
    )
    .onConflictDoUpdate({
      target: [customers.organizationId, customers.connectionId, customers.externalId],
      set: setExcluded([
        customers.parentExternalId,
        customers.name,
        customers.email,
        customers.phone,
        customers.currency,
        customers.balance,
        customers.terms,
        customers.address,
        customers.active,
        customers.deletedAt,
        customers.platformUpdatedAt,
        customers.updatedAt,
      ]),
    })
    .returning({ id: customers.id, externalId: customers.externalId });
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
  if (contactRows.size) {
    await t.db
      .insert(contacts)
      .values([...contactRows.values()])
      .onConflictDoUpdate({
        target: [contacts.customerId, contacts.externalKey],
        // an erased contact (data request) stays erased
        set: {
          name: sql`case when ${contacts.erasedAt} is null then excluded.name end`,
          email: sql`case when ${contacts.erasedAt} is null then excluded.email end`,
          phone: sql`case when ${contacts.erasedAt} is null then excluded.phone end`,
          role: excluded(contacts.role),
          isPrimary: excluded(contacts.isPrimary),
          updatedAt: excluded(contacts.updatedAt),
        },
      });
  }
  return rows.length;
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
        inArray(table.externalId, externalIds),
      ),
    )
    .returning({ id: table.id });
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
      status: i.status as 'open' | 'paid' | 'voided' | 'deleted',
      platformStatus: i.platformStatus,
      onlinePaymentUrl: i.onlinePaymentUrl,
      lines: i.lines.slice(0, 20),
      lineCount: i.lineCount,
      syncToken: i.syncToken,
      platformUpdatedAt: i.updatedAt ? new Date(i.updatedAt) : null,
      paidAt: i.status === 'paid' ? now : null,
      updatedAt: now,
    });
  }
  if (!values.length) return deleted;
  await t.db
    .insert(invoices)
    .values(values)
    .onConflictDoUpdate({
      target: [invoices.organizationId, invoices.connectionId, invoices.externalId],
      set: {
        ...setExcluded([
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
        ]),
        // keep the first moment Duely saw it paid
        paidAt: sql`case when excluded.status = 'paid' then coalesce(${invoices.paidAt}, excluded.paid_at) else null end`,
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
  const saved = await t.db
    .insert(payments)
    .values(
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
        platformUpdatedAt: p.updatedAt ? new Date(p.updatedAt) : null,
        updatedAt: now,
      })),
    )
    .onConflictDoUpdate({
      target: [payments.organizationId, payments.connectionId, payments.externalId],
      set: setExcluded([
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
      ]),
    })
    .returning({ id: payments.id, externalId: payments.externalId });
  const paymentId = new Map(saved.map((s) => [s.externalId!, s.id]));
  for (const p of rows)
    if (p.customerExternalId && !ids.get(p.customerExternalId))
      errors.push({
        entity: 'payments',
        externalId: p.externalId,
        reason: `customer ${p.customerExternalId} is unknown; payment kept without a customer`,
      });
  // allocations are replaced as a set per payment
  const allIds = [...paymentId.values()];
  await t.db
    .delete(paymentAllocations)
    .where(
      and(
        eq(paymentAllocations.organizationId, t.organizationId),
        inArray(paymentAllocations.paymentId, allIds),
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
            inArray(invoices.externalId, invExt),
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
  if (allocs.size) await t.db.insert(paymentAllocations).values([...allocs.values()]);
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
  for (const c of rows)
    if (!ids.get(c.customerExternalId))
      errors.push({
        entity: 'creditNotes',
        externalId: c.externalId,
        reason: `customer ${c.customerExternalId} is unknown; credit note kept without a customer`,
      });
  await t.db
    .insert(creditNotes)
    .values(
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
        status: c.status as 'open' | 'applied' | 'voided' | 'deleted',
        allocations: c.allocations,
        platformUpdatedAt: c.updatedAt ? new Date(c.updatedAt) : null,
        updatedAt: now,
      })),
    )
    .onConflictDoUpdate({
      target: [creditNotes.organizationId, creditNotes.connectionId, creditNotes.externalId],
      set: setExcluded([
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
      ]),
    });
  return rows.length;
}
