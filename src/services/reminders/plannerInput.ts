/**
 * The planner's input for one firm, read from the database with a handful of set-based queries:
 * the firm and its rules, its open invoices with the steps already done, the customers of those
 * invoices with their contact facts, recent messages (gap and weekly cap), current sequences.
 */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { queryRows, type Queryable } from '../../db/client';
import { OrgScope } from '../../db/scope';
import { addDays, type LocalDate } from '../../domain/calendar';
import {
  humanTouchRuleSchema,
  sendRulesSchema,
  type PlannerCustomer,
  type PlannerFirm,
  type PlannerInput,
  type PlannerInvoice,
} from '../../domain/planner';
import type { SequenceChannel } from '../../domain/sequences/format';
import { ValidationError } from '../errors';
import { ONBOARDING_SEQUENCE_KEY } from '../onboarding/lifecycle';
import type { Organization } from '../organizations';
import { plannerSequences } from '../sequences';

/** Automation settings read from `organizations.settings` (each optional). */
const automationSettingsSchema = z.object({
  sendRules: sendRulesSchema.default(sendRulesSchema.parse({})),
  humanTouch: humanTouchRuleSchema.nullable().default(null),
  pilot: z
    .object({ active: z.boolean().default(false), tags: z.array(z.string()).default([]) })
    .default({ active: false, tags: [] }),
  sequenceByTag: z.array(z.object({ tag: z.string(), sequenceKey: z.string() })).default([]),
  /** New customers get the onboarding sequence on their first invoice (services/onboarding). */
  onboarding: z
    .object({ enabled: z.boolean().default(true), sequenceKey: z.string().default(ONBOARDING_SEQUENCE_KEY) })
    .default({ enabled: true, sequenceKey: ONBOARDING_SEQUENCE_KEY }),
});

export function plannerFirm(org: Organization): PlannerFirm {
  const parsed = automationSettingsSchema.safeParse(org.settings ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(
      `the firm's automation settings are invalid: ${issue ? `${issue.path.join('.')}: ${issue.message}` : ''}`,
      'settings',
    );
  }
  const s = parsed.data;
  return {
    timezone: org.timezone,
    country: org.country,
    automation: org.automation,
    pilotActive: s.pilot.active,
    pilotTags: s.pilot.tags,
    sendRules: s.sendRules,
    humanTouch: s.humanTouch,
    sequenceByTag: s.sequenceByTag,
    // run, in addition, on the invoice that anchors each active onboarding (customer.onboardingInvoiceId)
    onboardingSequenceKey: s.onboarding.enabled ? s.onboarding.sequenceKey : null,
  };
}

interface CustomerRow {
  id: string;
  tags: string[];
  timezone: string | null;
  preferredHour: number | null;
  preferredChannel: SequenceChannel | null;
  pilot: boolean;
  pausedUntil: string | null;
  sequenceKey: string | null;
  connectionStatus: string;
  hasEmail: boolean;
  optedOut: boolean;
  hasPhone: boolean;
  hasAddress: boolean;
  customerSince: string | null;
  lateBefore: boolean;
  onboardingInvoiceId: string | null;
}

interface InvoiceRow {
  id: string;
  customerId: string;
  issueDate: string;
  dueDate: string;
  balance: string;
  currency: string;
  doneStepKeys: string[] | null;
  disputed: boolean;
  promise: { until: string; graceDays: number } | null;
}

/** The local date at the start of the planning (a date, or the firm-zone date of an instant). */
function startDate(asOf: string | Date): LocalDate {
  if (typeof asOf === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(asOf)) return asOf;
  return new Date(asOf).toISOString().slice(0, 10);
}

export interface PlannerInputOptions {
  /** Plan only these customers (the sweep's due customers); default: every customer with open invoices. */
  customerIds?: readonly string[];
}

export async function buildPlannerInput(
  db: Queryable,
  org: Organization,
  asOf: string | Date,
  opts: PlannerInputOptions = {},
): Promise<PlannerInput> {
  const orgId = org.id;
  const onlyCustomers = opts.customerIds
    ? sql` and i.customer_id in (select (jsonb_array_elements_text(${JSON.stringify(opts.customerIds)}::jsonb))::uuid)`
    : sql``;
  const firm = plannerFirm(org);
  const sequences = await plannerSequences(new OrgScope(db, orgId));

  const invoiceRows = await queryRows<InvoiceRow>(
    db,
    sql`select i.id, i.customer_id as "customerId", i.issue_date::text as "issueDate",
               i.due_date::text as "dueDate", i.balance::text as balance, i.currency,
               (select array_agg(s.step_key) from invoice_steps s
                 where s.invoice_id = i.id and s.organization_id = i.organization_id) as "doneStepKeys",
               exists (select 1 from dispute_invoices di join disputes d on d.id = di.dispute_id
                        where di.organization_id = i.organization_id and di.invoice_id = i.id
                          and d.kind = 'dispute' and d.status <> 'resolved') as disputed,
               (select json_build_object('until', p.promised_date::text, 'graceDays', p.grace_days)
                  from promise_invoices pi join promises p on p.id = pi.promise_id
                 where pi.organization_id = i.organization_id and pi.invoice_id = i.id
                   and p.status = 'active'
                 order by p.promised_date + p.grace_days desc limit 1) as promise
          from invoices i
         where i.organization_id = ${orgId} and i.status = 'open'${onlyCustomers}
         order by i.due_date, i.id`,
  );

  const customerRows = await queryRows<CustomerRow>(
    db,
    sql`with open_customers as (
          select distinct i.customer_id from invoices i
           where i.organization_id = ${orgId} and i.status = 'open'${onlyCustomers}
        ), unusable as (
          -- numbers found wrong on a call (services/tasks/phones.ts)
          select a.customer_id, a.data->>'digits' as digits from activities a
           where a.organization_id = ${orgId} and a.kind = 'phone.unusable'
             and a.data->>'digits' is not null
             and a.customer_id in (select customer_id from open_customers)
        ), contact_facts as (
          select k.customer_id,
                 count(*) filter (where k.email is not null) as with_email,
                 count(*) filter (where k.email is not null and k.email_status = 'ok'
                                    and k.unsubscribed_at is null) as reachable,
                 count(*) filter (where k.email is not null and k.unsubscribed_at is null) as subscribed,
                 bool_or(k.phone is not null and regexp_replace(k.phone, '[^0-9]', '', 'g') <> ''
                         and regexp_replace(k.phone, '[^0-9]', '', 'g') not in
                             (select u.digits from unusable u where u.customer_id = k.customer_id)) as phone
            from contacts k
           where k.organization_id = ${orgId} and k.erased_at is null
             and k.customer_id in (select customer_id from open_customers)
           group by k.customer_id
        )
        select c.id, c.tags, c.timezone, c.preferred_hour as "preferredHour",
               c.preferred_channel as "preferredChannel", c.pilot,
               c.paused_until::text as "pausedUntil", c.sequence_key as "sequenceKey",
               n.status as "connectionStatus",
               case when coalesce(f.with_email, 0) > 0 then f.reachable > 0 else c.email is not null end
                 as "hasEmail",
               coalesce(f.with_email, 0) > 0 and f.subscribed = 0 as "optedOut",
               (c.phone is not null and regexp_replace(c.phone, '[^0-9]', '', 'g') <> ''
                 and regexp_replace(c.phone, '[^0-9]', '', 'g') not in
                     (select u.digits from unusable u where u.customer_id = c.id))
                 or coalesce(f.phone, false) as "hasPhone",
               -- complete enough for a letter (as the master-data check: street, town, postcode or country)
               coalesce(btrim(c.address->>'line1'), '') <> '' and coalesce(btrim(c.address->>'city'), '') <> ''
                 and (coalesce(btrim(c.address->>'postalCode'), '') <> ''
                      or coalesce(btrim(c.address->>'country'), '') <> '') as "hasAddress",
               case when c.onboarding_status = 'active' then c.onboarding_invoice_id end
                 as "onboardingInvoiceId",
               (select min(i.issue_date)::text from invoices i
                 where i.organization_id = c.organization_id and i.customer_id = c.id
                   and i.status <> 'voided' and i.status <> 'deleted') as "customerSince",
               exists (select 1 from invoices i
                        where i.organization_id = c.organization_id and i.customer_id = c.id
                          and i.paid_at is not null and i.paid_at::date > i.due_date) as "lateBefore"
          from customers c
          join open_customers o on o.customer_id = c.id
          join connections n on n.id = c.connection_id
          left join contact_facts f on f.customer_id = c.id
         where c.organization_id = ${orgId} and c.deleted_at is null`,
  );

  // Gap and weekly cap look back at most a few weeks; live e-mails and texts only.
  const since = addDays(startDate(asOf), -15);
  const recent = await queryRows<{ customerId: string; at: string }>(
    db,
    sql`select m.customer_id as "customerId", to_char(coalesce(m.sent_at, m.send_at) at time zone 'UTC',
                 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at
          from messages m
         where m.organization_id = ${orgId} and m.live and m.channel in ('email', 'sms')
           and m.status in ('queued', 'sent') and m.send_at >= ${since}::date
         order by m.send_at`,
  );
  const recentBy = new Map<string, string[]>();
  for (const r of recent) {
    const list = recentBy.get(r.customerId) ?? [];
    list.push(r.at);
    recentBy.set(r.customerId, list);
  }

  const customers: PlannerCustomer[] = customerRows.map((c) => ({
    id: c.id,
    tags: c.tags,
    timezone: c.timezone,
    preferredHour: c.preferredHour,
    preferredChannel: c.preferredChannel,
    pilot: c.pilot,
    pausedUntil: c.pausedUntil,
    optedOut: c.optedOut,
    hasEmail: c.hasEmail,
    hasPhone: c.hasPhone,
    hasAddress: c.hasAddress,
    // A firm whose automation is held (a connection needs reconnecting) chases nobody on stale data.
    connectionStatus:
      c.connectionStatus === 'connected' && !org.automationHeldReason ? 'connected' : 'needs_reconnect',
    sequenceKey: c.sequenceKey,
    recentContacts: recentBy.get(c.id) ?? [],
    customerSince: c.customerSince,
    lateBefore: c.lateBefore,
    onboardingInvoiceId: c.onboardingInvoiceId,
  }));

  const invoices: PlannerInvoice[] = invoiceRows.map((i) => ({
    id: i.id,
    customerId: i.customerId,
    issueDate: i.issueDate,
    dueDate: i.dueDate,
    balance: i.balance,
    currency: i.currency,
    status: 'open',
    // an open dispute (not a plain request) pauses the invoice; an active promise until its date plus grace
    disputed: i.disputed,
    promise: i.promise,
    doneStepKeys: i.doneStepKeys ?? [],
  }));

  return { asOf, firm, customers, sequences, invoices };
}
