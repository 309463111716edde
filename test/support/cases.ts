/** Helpers for the promise and dispute tests: a movable clock, more invoices, planner skips. */
import { eq } from 'drizzle-orm';
import type { AppContext } from '../../src/app/context';
import { auditLog, contacts, emails, invoices, organizations, tasks, writeBacks } from '../../src/db/schema';
import { OrgScope } from '../../src/db/scope';
import { plan } from '../../src/domain/planner';
import { findOrganization } from '../../src/services/organizations';
import { buildPlannerInput } from '../../src/services/reminders/plannerInput';
import type { Firm } from './tenancy';

export function movableClock(start: string) {
  let now = new Date(start);
  return {
    now: () => new Date(now),
    set(at: string) {
      now = new Date(at);
    },
  };
}

export async function addInvoice(
  app: AppContext,
  f: Firm,
  p: { number: string; balance: string; dueDate?: string; customerId?: string; currency?: string },
): Promise<string> {
  const [row] = await new OrgScope(app.db, f.id)
    .insert(invoices, {
      connectionId: f.connectionId,
      externalId: `ext-${p.number}`,
      customerId: p.customerId ?? f.customerId,
      number: p.number,
      currency: p.currency ?? 'USD',
      issueDate: '2026-10-01',
      dueDate: p.dueDate ?? '2026-10-31',
      total: p.balance,
      balance: p.balance,
      status: 'open',
      platformStatus: 'Open',
    })
    .returning({ id: invoices.id });
  return row!.id;
}

/** What a sync would record after a payment: the new balance (paid when zero). */
export async function setBalance(
  app: AppContext,
  f: Firm,
  invoiceId: string,
  balance: string,
): Promise<void> {
  await new OrgScope(app.db, f.id).update(
    invoices,
    { balance, status: Number(balance) === 0 ? 'paid' : 'open' },
    eq(invoices.id, invoiceId),
  );
}

export async function addContact(
  app: AppContext,
  f: Firm,
  email: string,
  name = 'Dana Lee',
): Promise<string> {
  const [row] = await new OrgScope(app.db, f.id)
    .insert(contacts, { customerId: f.customerId, email, name, role: 'billing', isPrimary: true })
    .returning({ id: contacts.id });
  return row!.id;
}

export async function setSettings(
  app: AppContext,
  f: Firm,
  settings: Record<string, unknown>,
): Promise<void> {
  await app.db.update(organizations).set({ settings }).where(eq(organizations.id, f.id));
}

/** The planner's skip reasons for one invoice on a date. */
export async function skipReasons(
  app: AppContext,
  f: Firm,
  invoiceId: string,
  asOf: string,
): Promise<string[]> {
  const org = await findOrganization(app.db, f.id);
  const out = plan(await buildPlannerInput(app.db, org, asOf));
  return [...new Set(out.skipped.filter((s) => s.invoiceId === invoiceId).map((s) => s.reason))];
}

/** Everything a case event writes outside its own tables, for "nothing changed" checks. */
export async function sideEffects(app: AppContext, f: Firm) {
  const where = <T extends { organizationId: unknown }>(t: T) => eq(t.organizationId as never, f.id);
  return {
    emails: await app.db.select().from(emails).where(where(emails)),
    notes: await app.db.select().from(writeBacks).where(where(writeBacks)),
    tasks: await app.db.select().from(tasks).where(where(tasks)),
    audit: (await app.db.select().from(auditLog).where(where(auditLog))).filter((a) =>
      /^(promise|dispute)\./.test(a.action),
    ),
  };
}
