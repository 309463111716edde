/**
 * `plan` and `run` for one firm (CONTRACT.md §4). `run` carries out each live action once: in one
 * transaction it claims the action by inserting its message (or task) row under the action's
 * idempotency key and the invoice steps it completes, records the e-mail and the write-back
 * notes; the jobs are enqueued after the commit. A second run, or a concurrent one, finds the
 * key taken and does nothing.
 */
import crypto from 'node:crypto';
import { and, eq, inArray, lt, sql } from 'drizzle-orm';
import type { AppContext } from '../../app/context';
import type { Db } from '../../db/client';
import { contacts, customers, emails, invoiceSteps, invoices, messages, tasks } from '../../db/schema';
import { OrgScope } from '../../db/scope';
import { daysBetween, isLocalDate, localDateOf } from '../../domain/calendar';
import { parseMoney } from '../../domain/money';
import { postalLines, type PostalAddress } from '../../domain/postalAddress';
import { plan, type PlannedAction, type PlannerOutput } from '../../domain/planner';
import { BUILTIN_TASK_TEMPLATES, FIND_CONTACT_TEMPLATE } from '../../domain/sequences/builtins';
import type { SequenceChannel } from '../../domain/sequences/format';
import { displayMoney } from '../../email';
import { senderMailbox } from '../../mail/address';
import { addTracking } from '../../mail/tracking';
import type { QueueDriver } from '../../queue/types';
import { resolveStaleSending } from '../delivery/stale';
import { trackingOf } from '../delivery/trackingSettings';
import { deliverEmail, queueEmail, SEND_EMAIL_JOB } from '../email';
import { ValidationError } from '../errors';
import { findOrganization, type Organization } from '../organizations';
import { issuePortalLink } from '../portal/tokens';
import { firmRenderer } from '../templates';
import { unsubscribeHeaders, unsubscribeUrl } from '../unsubscribe';
import { queueInvoiceNote } from '../writeBack/queue';
import { getLogger } from '../../logging/logger';
import { masterDataPoints } from '../../domain/onboarding/masterData';
import { finishOnboarding } from '../onboarding/lifecycle';
import { masterDataGapsOf } from '../onboarding/masterData';
import { defaultAssignee } from '../tasks/defaultAssignee';
import { customerHistoryPoints } from '../tasks/history';
import { buildPlannerInput } from './plannerInput';

const log = getLogger('reminders');

export interface PlanAction {
  customerId: string;
  invoiceIds: string[];
  sequenceKey: string;
  stepKey: string;
  channel: SequenceChannel;
  sendAt: string;
  live: boolean;
}

export interface PlanDocument {
  asOf: string;
  actions: PlanAction[];
  skipped: { invoiceId: string; reason: string }[];
}

/** `nothing_to_do`: a step with nothing to act on (a master-data check that found no gap), recorded done. */
export type RunStatus = 'sent' | 'queued' | 'task_created' | 'nothing_to_do' | 'already_done' | 'failed';

export interface RunDocument extends PlanDocument {
  /** One per live action carried out; `error` only with `failed` (nothing of it was recorded). */
  results: { idempotencyKey: string; status: RunStatus; error?: string }[];
}

/** `asOf`: a date YYYY-MM-DD (that day in every customer's zone), or an instant; default now. */
function normalizeAsOf(app: Pick<AppContext, 'now'>, asOf: string | Date | undefined): string | Date {
  if (asOf === undefined) return app.now();
  if (asOf instanceof Date) return asOf;
  if (/^\d{4}-\d{2}-\d{2}$/.test(asOf)) {
    if (!isLocalDate(asOf)) throw new ValidationError(`"${asOf}" is not a date`, 'asOf');
    return asOf;
  }
  const d = new Date(asOf);
  if (Number.isNaN(d.getTime())) throw new ValidationError(`"${asOf}" is not a date YYYY-MM-DD`, 'asOf');
  return d;
}

function toDocument(out: PlannerOutput): PlanDocument {
  const seen = new Set<string>();
  const skipped: PlanDocument['skipped'] = [];
  for (const s of out.skipped) {
    const k = `${s.invoiceId}|${s.reason}`;
    if (seen.has(k)) continue;
    seen.add(k);
    skipped.push({ invoiceId: s.invoiceId, reason: s.reason });
  }
  return {
    asOf: out.asOf,
    actions: out.actions.map((a) => ({
      customerId: a.customerId,
      invoiceIds: a.invoiceIds,
      sequenceKey: a.sequenceKey,
      stepKey: a.stepKey,
      channel: a.channel,
      sendAt: a.sendAt,
      live: a.live,
    })),
    skipped,
  };
}

async function planFor(
  app: AppContext,
  orgIdOrSlug: string,
  asOf: string | Date | undefined,
  customerIds?: readonly string[],
) {
  const org = await findOrganization(app.db, orgIdOrSlug);
  const input = await buildPlannerInput(
    app.db,
    org,
    normalizeAsOf(app, asOf),
    customerIds ? { customerIds } : {},
  );
  return { org, output: plan(input) };
}

/** The dry run: what `run` would do now, sending nothing. */
export async function planForFirm(
  app: AppContext,
  orgIdOrSlug: string,
  asOf?: string | Date,
  opts: { customerIds?: readonly string[] } = {},
): Promise<PlanDocument> {
  return toDocument((await planFor(app, orgIdOrSlug, asOf, opts.customerIds)).output);
}

export interface RunOptions {
  /** Carry out only the actions whose send time has come by then (the sweep); default: all planned. */
  dueBy?: Date;
  /**
   * Deliver the e-mails in this process right away instead of leaving them to the send job (the
   * CLI, whose queue has no workers); delivery still claims each row, so it never sends twice.
   */
  deliverNow?: boolean;
  /** Plan and run only these customers (the sweep's due customers, see ./due.ts); default: all. */
  customerIds?: readonly string[];
}

/** Carry out the live actions of the plan, each once. */
export async function runForFirm(
  app: AppContext,
  orgIdOrSlug: string,
  asOf?: string | Date,
  opts: RunOptions = {},
): Promise<RunDocument> {
  const { org, output } = await planFor(app, orgIdOrSlug, asOf, opts.customerIds);
  const live = output.actions.filter(
    (a) => a.live && (!opts.dueBy || new Date(a.sendAt).getTime() <= opts.dueBy.getTime()),
  );
  const results: RunDocument['results'] = [];
  if (live.length > 0) {
    const facts = await loadFacts(app.db, org.id, live);
    for (const action of live) {
      try {
        const status = await carryOut(app, org, facts, action, opts.deliverNow === true);
        results.push({ idempotencyKey: action.idempotencyKey, status });
      } catch (e) {
        // one action that cannot be carried out (e.g. a record the template rejects) must not
        // hold back the others; it is planned again on the next run
        const error = e instanceof Error ? e.message : String(e);
        log.error(
          { organizationId: org.id, idempotencyKey: action.idempotencyKey, err: e },
          'reminder failed',
        );
        results.push({ idempotencyKey: action.idempotencyKey, status: 'failed', error });
      }
    }
  }
  await recordNextActions(app.db, org.id, output, app.now());
  await finishOnboarding(app.db, org);
  return { ...toDocument(output), results };
}

/**
 * `invoices.next_action_at`: when the planner wants to look at each invoice again. "Only when
 * something changes" (the planner's null) is stored as a day later: every open invoice is looked
 * at again at least daily, so a change nobody flagged (a resolved dispute, a new contact, a
 * sequence edit) is picked up within a day. Null in the column means "not planned since it
 * arrived or changed": due now (see ./due.ts).
 */
async function recordNextActions(db: Db, orgId: string, output: PlannerOutput, now: Date): Promise<void> {
  if (output.nextActionAt.length === 0) return;
  const recheck = new Date(now.getTime() + 24 * 3600_000).toISOString();
  await db.execute(
    sql`update invoices i set next_action_at = coalesce((v->>'at')::timestamptz, ${recheck}::timestamptz)
          from jsonb_array_elements(${JSON.stringify(output.nextActionAt)}::jsonb) v
         where i.organization_id = ${orgId} and i.id = (v->>'invoiceId')::uuid
           and i.next_action_at is distinct from coalesce((v->>'at')::timestamptz, ${recheck}::timestamptz)`,
  );
}

// ---------------------------------------------------------------------------------------------

interface Facts {
  customers: Map<
    string,
    {
      id: string;
      name: string;
      email: string | null;
      timezone: string | null;
      address: PostalAddress | null;
    }
  >;
  /** `id` null: the address on the customer record (the customer has no contact rows). */
  contacts: Map<string, { id: string | null; name: string | null; email: string; phone: string | null }[]>;
  invoices: Map<
    string,
    { id: string; number: string | null; dueDate: string; balance: string; currency: string }
  >;
  lastContact: Map<string, { channel: string; stepKey: string; at: Date }>;
  messageCount: Map<string, number>;
}

async function loadFacts(db: Db, orgId: string, actions: PlannedAction[]): Promise<Facts> {
  const scope = new OrgScope(db, orgId);
  const customerIds = [...new Set(actions.map((a) => a.customerId))];
  const invoiceIds = [...new Set(actions.flatMap((a) => a.invoiceIds))];
  const custRows = await db
    .select({
      id: customers.id,
      name: customers.name,
      email: customers.email,
      timezone: customers.timezone,
      address: customers.address,
    })
    .from(customers)
    .where(scope.where(customers, inArray(customers.id, customerIds)));
  const contactRows = await db
    .select({
      id: contacts.id,
      customerId: contacts.customerId,
      name: contacts.name,
      email: contacts.email,
      phone: contacts.phone,
      isPrimary: contacts.isPrimary,
      emailStatus: contacts.emailStatus,
      unsubscribedAt: contacts.unsubscribedAt,
      erasedAt: contacts.erasedAt,
    })
    .from(contacts)
    .where(scope.where(contacts, inArray(contacts.customerId, customerIds)))
    .orderBy(sql`${contacts.isPrimary} desc, ${contacts.createdAt}, ${contacts.id}`);
  const invRows = await db
    .select({
      id: invoices.id,
      number: invoices.number,
      dueDate: invoices.dueDate,
      balance: invoices.balance,
      currency: invoices.currency,
    })
    .from(invoices)
    .where(scope.where(invoices, inArray(invoices.id, invoiceIds)));
  const history = await db
    .select({
      customerId: messages.customerId,
      channel: messages.channel,
      stepKey: messages.stepKey,
      at: sql<Date>`coalesce(${messages.sentAt}, ${messages.sendAt})`.mapWith(
        (v: string | Date) => new Date(v),
      ),
    })
    .from(messages)
    .where(scope.where(messages, inArray(messages.customerId, customerIds), eq(messages.live, true)))
    .orderBy(messages.sendAt);

  const contactMap: Facts['contacts'] = new Map();
  const hasAnyEmail = new Set<string>();
  for (const c of contactRows) {
    if (c.erasedAt || !c.email) continue;
    hasAnyEmail.add(c.customerId);
    if (c.emailStatus !== 'ok' || c.unsubscribedAt) continue;
    const list = contactMap.get(c.customerId) ?? [];
    list.push({ id: c.id, name: c.name, email: c.email, phone: c.phone });
    contactMap.set(c.customerId, list);
  }
  // A customer without contact records is reached at the e-mail address on the customer.
  for (const c of custRows) {
    if (!hasAnyEmail.has(c.id) && c.email)
      contactMap.set(c.id, [{ id: null, name: null, email: c.email, phone: null }]);
  }
  const lastContact = new Map<string, { channel: string; stepKey: string; at: Date }>();
  const messageCount = new Map<string, number>();
  for (const m of history) {
    lastContact.set(m.customerId, { channel: m.channel, stepKey: m.stepKey, at: m.at });
    messageCount.set(m.customerId, (messageCount.get(m.customerId) ?? 0) + 1);
  }
  return {
    customers: new Map(custRows.map((c) => [c.id, c])),
    contacts: contactMap,
    invoices: new Map(invRows.map((i) => [i.id, i])),
    lastContact,
    messageCount,
  };
}

/** Queue driver that holds enqueues until the claiming transaction has committed. */
function deferredQueue(): { queue: QueueDriver; flush(real: QueueDriver): Promise<void> } {
  const pending: [string, unknown, { jobId?: string } | undefined][] = [];
  const queue = {
    enqueue(name: string, payload: unknown, opts?: { jobId?: string }) {
      pending.push([name, payload, opts]);
      return Promise.resolve({ id: opts?.jobId ?? '', added: true });
    },
  } as unknown as QueueDriver;
  return {
    queue,
    async flush(real) {
      for (const [name, payload, opts] of pending) await real.enqueue(name, payload, opts);
    },
  };
}

class AlreadyDone extends Error {}

async function carryOut(
  app: AppContext,
  org: Organization,
  facts: Facts,
  action: PlannedAction,
  deliverNow: boolean,
): Promise<RunStatus> {
  const customer = facts.customers.get(action.customerId);
  if (!customer) return 'already_done';
  const zone = customer.timezone ?? org.timezone;
  const localDay = localDateOf(action.sendAt, zone);
  const invs = action.invoiceIds.map((id) => facts.invoices.get(id)).filter((i) => i !== undefined);
  const deferred = deferredQueue();
  let emailId: string | null = null;
  const scope = new OrgScope(app.db, org.id);
  try {
    const status = await scope.transaction(async (tx) => {
      const txApp = { ...app, db: tx.db as unknown as Db, queue: deferred.queue };
      const claimSteps = async (ref: { messageId?: string; taskId?: string }) => {
        const done = await tx
          .insert(
            invoiceSteps,
            action.invoiceIds.map((invoiceId) => ({ invoiceId, stepKey: action.stepKey, ...ref })),
          )
          .onConflictDoNothing()
          .returning({ id: invoiceSteps.id });
        // Another run completed this step for one of the invoices (e.g. under another version).
        if (done.length !== action.invoiceIds.length) throw new AlreadyDone();
      };

      if (action.channel === 'email' || action.channel === 'sms') {
        const contact = facts.contacts.get(customer.id)?.[0];
        if (action.channel === 'sms' || !contact || !action.template) {
          // No SMS provider yet, and no address left since planning: a task for the clerk.
          return createTask(tx, facts, action, localDay, claimSteps);
        }
        // A portal link of its own per message, minted inside the claim: a retried run finds the
        // message key taken and rolls the link back with it.
        const portal = await issuePortalLink(app, tx, {
          customerId: customer.id,
          contactId: contact.id,
          origin: 'message',
        });
        const portalUrl = portal.url;
        const unsubscribe = unsubscribeUrl(
          app,
          contact.id ? { contactId: contact.id } : { customerId: customer.id },
        );
        const messageId = crypto.randomUUID();
        const rendered = await (
          await firmRenderer(tx)
        ).render(
          action.template,
          {
            firm: {
              name: org.name,
              branding: {
                logoUrl: org.branding.logoUrl ?? null,
                color: org.branding.color ?? null,
                signature: org.branding.signature ?? null,
                replyTo: org.branding.replyTo ?? null,
                paymentInstructions: org.branding.paymentInstructions ?? null,
              },
            },
            contact: { name: contact.name },
            customer: { name: customer.name },
            invoices: invs.map((i) => ({
              number: i.number,
              dueDate: i.dueDate,
              balance: i.balance,
              currency: i.currency,
            })),
            asOf: localDay,
            portalUrl,
            unsubscribeUrl: unsubscribe,
          },
          { tone: action.tone },
        );
        const [msg] = await tx
          .insert(messages, {
            id: messageId,
            customerId: customer.id,
            invoiceIds: action.invoiceIds,
            sequenceKey: action.sequenceKey,
            sequenceVersion: action.sequenceVersion,
            stepKey: action.stepKey,
            channel: 'email',
            status: 'queued',
            toAddress: contact.email,
            subject: rendered.subject,
            // the link itself is a secret: kept sealed with its token row, revealed for clerks
            portalUrl: null,
            portalTokenId: portal.tokenId,
            idempotencyKey: action.idempotencyKey,
            sendAt: new Date(action.sendAt),
            live: true,
          })
          .onConflictDoNothing()
          .returning({ id: messages.id });
        if (!msg) throw new AlreadyDone();
        await claimSteps({ messageId: msg.id });
        const email = await queueEmail(txApp, {
          organizationId: org.id,
          kind: 'reminder',
          idempotencyKey: `reminder:${org.id}:${action.idempotencyKey}`,
          to: contact.email,
          from: senderMailbox(app.config.MAIL_FROM, org.branding, org.name),
          replyTo: org.branding.replyTo ?? null,
          subject: rendered.subject,
          text: rendered.text,
          html: addTracking(
            rendered.html,
            { baseUrl: app.config.BASE_URL, secret: app.sessionSecret, messageId, skip: [unsubscribe] },
            trackingOf(org),
          ),
          headers: unsubscribeHeaders(unsubscribe),
        });
        await tx.update(messages, { emailId: email.id }, eq(messages.id, msg.id));
        emailId = email.id;
        for (const inv of invs) {
          await queueInvoiceNote(txApp, tx, {
            invoiceId: inv.id,
            text: `Duely: reminder e-mail "${rendered.subject}" sent to ${contact.email} (${action.sequenceKey} / ${action.stepKey}).`,
            idempotencyKey: `note:${msg.id}:${inv.id}`,
          });
        }
        return 'queued' as const;
      }
      return createTask(tx, facts, action, localDay, claimSteps);
    });
    await deferred.flush(app.queue);
    if (deliverNow && emailId) return await deliverRightAway(app, emailId);
    return status;
  } catch (e) {
    if (e instanceof AlreadyDone) return 'already_done';
    throw e;
  }
}

/** The claim is committed: a delivery that fails here leaves the e-mail queued for its job. */
async function deliverRightAway(app: AppContext, emailId: string): Promise<RunStatus> {
  try {
    // deliverEmail records the outcome on the e-mail and on this message
    const outcome = await deliverEmail(app, emailId);
    return outcome === 'sent' || outcome === 'already_sent' ? 'sent' : 'queued';
  } catch (e) {
    log.warn({ emailId, err: e }, 'reminder e-mail not delivered now; it stays queued');
    return 'queued';
  }
}

async function createTask(
  tx: OrgScope,
  facts: Facts,
  action: PlannedAction,
  localDay: string,
  claimSteps: (ref: { taskId?: string }) => Promise<void>,
): Promise<RunStatus> {
  const template = action.template ? BUILTIN_TASK_TEMPLATES[action.template] : undefined;
  let fromTemplate = template?.talkingPoints ?? [];
  if (action.template === 'master-data-check') {
    // onboarding: a task lists the gaps in the new customer's billing details; none, no task
    const gaps = await masterDataGapsOf(tx, action.customerId);
    if (gaps.length === 0) {
      await claimSteps({});
      return 'nothing_to_do';
    }
    fromTemplate = masterDataPoints(gaps);
  }
  if (action.template === FIND_CONTACT_TEMPLATE) {
    // one open "find a way to reach them" task at a time: later steps point at it
    const [open] = await tx.db
      .select({ id: tasks.id })
      .from(tasks)
      .where(
        tx.where(
          tasks,
          eq(tasks.customerId, action.customerId),
          eq(tasks.status, 'open'),
          eq(tasks.kind, 'other'),
          eq(tasks.title, template?.title ?? ''),
        ),
      )
      .limit(1);
    if (open) {
      await claimSteps({ taskId: open.id });
      return 'nothing_to_do';
    }
  }
  const kind =
    action.template === 'master-data-check'
      ? 'master_data'
      : action.template === FIND_CONTACT_TEMPLATE
        ? 'other'
        : action.channel === 'letter'
          ? 'letter'
          : 'call';
  const title =
    template?.title ??
    (action.channel === 'letter'
      ? 'Send a reminder letter'
      : action.channel === 'sms'
        ? 'Text the customer about open invoices'
        : 'Call about open invoices');
  const [task] = await tx
    .insert(tasks, {
      customerId: action.customerId,
      invoiceIds: action.invoiceIds,
      kind,
      title,
      assigneeUserId: await defaultAssignee(tx, action.customerId),
      talkingPoints: [
        // no SMS provider yet: a text step is a task for the clerk's phone
        ...(action.channel === 'sms' ? [SMS_BY_HAND] : []),
        ...talkingPoints(facts, action, localDay, []),
        ...(await customerHistoryPoints(tx.db, tx.organizationId, action.customerId)),
        ...fromTemplate,
      ],
      sequenceKey: action.sequenceKey,
      stepKey: action.stepKey,
      dueDate: localDay,
      idempotencyKey: action.idempotencyKey,
    })
    .onConflictDoNothing()
    .returning({ id: tasks.id });
  if (!task) throw new AlreadyDone();
  await claimSteps({ taskId: task.id });
  return 'task_created';
}

/** Where a letter goes: the billing address from the books, or the gap to close before posting. */
function postTo(address: PostalAddress | null): string {
  const lines = postalLines(address);
  return lines.length > 0
    ? `Post to: ${lines.join(', ')}`
    : 'No postal address on file: ask the customer for one (and add it in the books) before posting';
}

const SMS_BY_HAND =
  'A text-message step: Duely sends no texts yet, so text the customer from the firm’s phone (or call)';

const CHANNEL_REASONS: Record<string, string> = {
  human_touch: 'A long-standing customer who has never paid late: a call instead of the first overdue e-mail',
  opted_out: 'The customer has unsubscribed from reminder e-mails',
  no_email: 'No deliverable e-mail address on file: ask for one',
  no_phone: 'No phone number on file for this call step: ask for one',
  preferred_channel: 'The customer prefers this channel to e-mail',
};

/** What is owed, the history and the last contact, then the template's own points. */
function talkingPoints(
  facts: Facts,
  action: PlannedAction,
  localDay: string,
  fromTemplate: readonly string[],
): string[] {
  const points: string[] = [];
  if (action.channelReason) points.push(CHANNEL_REASONS[action.channelReason] ?? action.channelReason);
  if (action.channel === 'letter')
    points.push(postTo(facts.customers.get(action.customerId)?.address ?? null));
  const totals = new Map<string, bigint>();
  for (const id of action.invoiceIds) {
    const inv = facts.invoices.get(id);
    if (!inv) continue;
    const micros = parseMoney(inv.balance);
    totals.set(inv.currency, (totals.get(inv.currency) ?? 0n) + micros);
    const overdue = daysBetween(inv.dueDate, localDay);
    points.push(
      `Owed: invoice ${inv.number ? `#${inv.number}` : 'without number'}, ${displayMoney(micros, inv.currency)}, due ${inv.dueDate}${overdue > 0 ? ` (${overdue} days overdue)` : ''}`,
    );
  }
  if (totals.size > 0) {
    points.push(`Total: ${[...totals].map(([cur, m]) => displayMoney(m, cur)).join(' + ')}`);
  }
  const count = facts.messageCount.get(action.customerId) ?? 0;
  const last = facts.lastContact.get(action.customerId);
  points.push(
    last
      ? `History: ${count} reminder${count === 1 ? '' : 's'} so far; last contact ${last.channel} (${last.stepKey}) on ${last.at.toISOString().slice(0, 10)}`
      : 'History: no reminder sent yet',
  );
  return [...points, ...fromTemplate];
}

/**
 * Re-enqueue reminder e-mails whose send job was lost (a crash between commit and enqueue, or a
 * lost Redis): rows still queued a few minutes after they were recorded.
 */
export async function requeueStrandedEmails(app: AppContext, orgId: string): Promise<number> {
  // and resolve e-mails left `sending` by a crash (policy in delivery/stale.ts)
  await resolveStaleSending(app, orgId);
  const rows = await app.db
    .select({ id: emails.id })
    .from(emails)
    .innerJoin(messages, eq(messages.emailId, emails.id))
    .where(
      and(
        eq(messages.organizationId, orgId),
        eq(emails.status, 'queued'),
        lt(emails.createdAt, new Date(app.now().getTime() - 5 * 60_000)),
      ),
    )
    .limit(1000);
  for (const r of rows)
    await app.queue.enqueue(SEND_EMAIL_JOB, { emailId: r.id }, { jobId: `email-${r.id}` });
  return rows.length;
}
