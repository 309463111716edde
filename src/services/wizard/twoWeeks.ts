/**
 * The first two weeks of reminders, as if the firm went live today with its pilot: the planner run
 * day by day over the next 14 days, each day's actions counted as done for the days after (the
 * steps and the gap and weekly cap move on as they would). Nothing is recorded or sent.
 */
import { inArray } from 'drizzle-orm';
import type { AppContext } from '../../app/context';
import { customers, invoices } from '../../db/schema';
import type { OrgScope } from '../../db/scope';
import { addDays, localDateOf, type LocalDate } from '../../domain/calendar';
import { plan, type PlannerCustomer, type PlannerInvoice } from '../../domain/planner';
import type { Organization } from '../organizations';
import { buildPlannerInput } from '../reminders/plannerInput';

export interface PreviewAction {
  customerId: string;
  customerName: string;
  invoices: string[];
  sequenceKey: string;
  stepKey: string;
  channel: string;
  sendAt: string;
  /** False: the customer is outside the pilot and stays in preview. */
  live: boolean;
}

export interface PreviewDay {
  date: LocalDate;
  actions: PreviewAction[];
}

export interface TwoWeekPreview {
  from: LocalDate;
  days: PreviewDay[];
  total: number;
  live: number;
}

export async function twoWeekPreview(
  app: AppContext,
  scope: OrgScope,
  org: Organization,
  days = 14,
): Promise<TwoWeekPreview> {
  const asIfLive: Organization = { ...org, automation: 'live' };
  const from = localDateOf(app.now(), org.timezone);
  const base = await buildPlannerInput(app.db, asIfLive, from);
  const invoiceState = new Map<string, PlannerInvoice & { doneStepKeys: string[] }>(
    base.invoices.map((i) => [i.id, { ...i, doneStepKeys: [...i.doneStepKeys] }]),
  );
  const customerState = new Map<string, PlannerCustomer & { recentContacts: string[] }>(
    base.customers.map((c) => [c.id, { ...c, recentContacts: [...c.recentContacts] }]),
  );

  const out: { date: LocalDate; actions: ReturnType<typeof plan>['actions'] }[] = [];
  for (let d = 0; d < days; d++) {
    const date = addDays(from, d);
    const result = plan({
      ...base,
      asOf: date,
      invoices: [...invoiceState.values()],
      customers: [...customerState.values()],
    });
    out.push({ date, actions: result.actions });
    for (const a of result.actions) {
      for (const id of a.invoiceIds) invoiceState.get(id)?.doneStepKeys.push(a.stepKey);
      if (a.channel === 'email' || a.channel === 'sms')
        customerState.get(a.customerId)?.recentContacts.push(a.sendAt);
    }
  }

  const customerIds = [...new Set(out.flatMap((d) => d.actions.map((a) => a.customerId)))];
  const invoiceIds = [...new Set(out.flatMap((d) => d.actions.flatMap((a) => a.invoiceIds)))];
  const names = new Map<string, string>();
  const numbers = new Map<string, string>();
  if (customerIds.length) {
    const rows = await scope.db
      .select({ id: customers.id, name: customers.name })
      .from(customers)
      .where(scope.where(customers, inArray(customers.id, customerIds)));
    for (const r of rows) names.set(r.id, r.name);
    const invs = await scope.db
      .select({ id: invoices.id, number: invoices.number })
      .from(invoices)
      .where(scope.where(invoices, inArray(invoices.id, invoiceIds)));
    for (const r of invs) numbers.set(r.id, r.number ? `#${r.number}` : 'without number');
  }
  const result: PreviewDay[] = out.map((d) => ({
    date: d.date,
    actions: d.actions.map((a) => ({
      customerId: a.customerId,
      customerName: names.get(a.customerId) ?? '(unknown customer)',
      invoices: a.invoiceIds.map((id) => numbers.get(id) ?? id),
      sequenceKey: a.sequenceKey,
      stepKey: a.stepKey,
      channel: a.channel,
      sendAt: a.sendAt,
      live: a.live,
    })),
  }));
  const all = result.flatMap((d) => d.actions);
  return { from, days: result, total: all.length, live: all.filter((a) => a.live).length };
}
