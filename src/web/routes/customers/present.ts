/**
 * How the customer page words things: each timeline entry as a line a clerk reads (what, who,
 * when in the firm's zone, a link where there is a page for it), times, statuses.
 */
import { DateTime } from 'luxon';
import type { TimelineEntry } from '../../../services/customers/timeline';
import { categoryLabel, outcomeLabel } from '../../../services/disputes';
import { displayMoney } from '../../format';

export interface TimelineLine {
  key: string;
  kind: string;
  /** The group for styling: invoice, payment, message, task, promise, dispute, activity. */
  group: string;
  at: string;
  atIso: string;
  title: string;
  detail: string | null;
  actor: string;
  href: string | null;
}

export function timeIn(zone: string, d: Date | null | undefined, dateOnly = false): string {
  if (!d) return '';
  const dt = DateTime.fromJSDate(d, { zone });
  return dateOnly ? (dt.toISODate() ?? '') : dt.toFormat('yyyy-MM-dd HH:mm');
}

const CALL_OUTCOMES: Record<string, string> = {
  reached: 'reached',
  no_answer: 'no answer',
  promise: 'promise to pay',
  dispute: 'dispute raised',
  wrong_number: 'wrong number',
};

const str = (v: unknown): string =>
  typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v);

function money(e: TimelineEntry, amount = e.amount): string {
  return amount && e.currency ? displayMoney(amount, e.currency) : (amount ?? '');
}

function invoicesOf(e: TimelineEntry): string {
  return e.invoiceNumbers.length
    ? `invoice${e.invoiceNumbers.length > 1 ? 's' : ''} ${e.invoiceNumbers.join(', ')}`
    : '';
}

function join(...parts: (string | null | undefined)[]): string | null {
  const s = parts.filter((p) => p && p.trim()).join(' · ');
  return s || null;
}

/** What happened, in a few words, plus a detail line and a link. */
function describe(e: TimelineEntry): { title: string; detail: string | null; href: string | null } {
  const d = e.data;
  const disputeHref = d.disputeId ? `/disputes/${str(d.disputeId)}` : null;
  switch (e.kind) {
    case 'invoice.issued':
      return {
        title: `Invoice ${e.title ?? ''} issued`,
        detail: join(money(e), d.dueDate ? `due ${str(d.dueDate)}` : ''),
        href: null,
      };
    case 'invoice.paid':
      return { title: `Invoice ${e.title ?? ''} paid`, detail: money(e) || null, href: null };
    case 'payment.received':
      return {
        title: e.status === 'active' ? 'Payment received' : `Payment ${e.status ?? ''}`,
        detail: join(
          money(e),
          e.body,
          e.title ? `ref. ${e.title}` : '',
          invoicesOf(e),
          d.source === 'portal' ? 'paid in the portal' : '',
        ),
        href: null,
      };
    case 'message.sent':
    case 'message.queued':
    case 'message.failed': {
      const channel =
        str(d.channel) === 'email' ? 'E-mail' : str(d.channel) === 'sms' ? 'Text message' : str(d.channel);
      const verb = {
        'message.sent': 'sent',
        'message.queued': 'queued',
        'message.failed': 'failed',
      }[e.kind];
      return {
        title: `${channel} ${verb}${d.to ? ` to ${str(d.to)}` : ''}`,
        detail: join(
          e.title ? `“${e.title}”` : '',
          invoicesOf(e),
          e.kind === 'message.failed' ? e.body : '',
          d.sequence ? `${str(d.sequence)} / ${str(d.step)}` : '',
        ),
        href: null,
      };
    }
    case 'message.opened':
    case 'message.clicked':
    case 'message.bounced':
      return {
        title: `E-mail ${e.kind.slice(8)}${e.title ? `: “${e.title}”` : ''}`,
        detail: join(d.to ? `to ${str(d.to)}` : '', e.kind === 'message.bounced' ? e.body : ''),
        href: null,
      };
    case 'task.created':
      return {
        title: `${str(d.taskKind) === 'call' ? 'Call' : str(d.taskKind) === 'letter' ? 'Letter' : 'Task'} to do: ${e.title ?? ''}`,
        detail: join(d.dueDate ? `due ${str(d.dueDate)}` : '', invoicesOf(e)),
        href: '/tasks',
      };
    case 'task.done':
    case 'task.cancelled': {
      const call = str(d.taskKind) === 'call';
      const outcome = e.status ? (CALL_OUTCOMES[e.status] ?? e.status) : '';
      return {
        title:
          e.kind === 'task.cancelled'
            ? `Task cancelled: ${e.title ?? ''}`
            : call
              ? `Call${outcome ? `: ${outcome}` : ' made'}`
              : `Task done: ${e.title ?? ''}`,
        detail: join(e.body, invoicesOf(e)),
        href: null,
      };
    }
    case 'promise.made':
      return {
        title: `Promise to pay ${money(e)} by ${e.title ?? ''}`,
        detail: join(
          e.body,
          invoicesOf(e),
          d.source === 'portal' ? 'made in the portal' : d.source === 'call' ? 'on a call' : '',
        ),
        href: null,
      };
    case 'promise.kept':
    case 'promise.partially_kept':
    case 'promise.broken':
    case 'promise.cancelled': {
      const what =
        { kept: 'kept', partially_kept: 'partly kept', broken: 'broken', cancelled: 'cancelled' }[
          e.kind.slice(8)
        ] ?? '';
      return {
        title: `Promise of ${e.title ?? ''} ${what}`,
        detail:
          e.kind === 'promise.cancelled' ? null : join(`paid ${money(e)} of ${money(e, str(d.promised))}`),
        href: null,
      };
    }
    case 'dispute.opened':
      return {
        title: `${str(d.disputeKind) === 'request' ? 'Request' : 'Dispute'} ${e.title ?? ''} opened`,
        detail: join(categoryLabel(e.body ?? ''), invoicesOf(e)),
        href: disputeHref,
      };
    case 'dispute.resolved':
      return {
        title: `Dispute ${e.title ?? ''} resolved`,
        detail: outcomeLabel(e.body) || null,
        href: disputeHref,
      };
    case 'dispute.message':
      return {
        title: `${e.status === 'customer' ? 'Customer wrote' : e.status === 'clerk' ? 'Answer sent' : 'Update'} in ${e.title ?? ''}`,
        detail: e.body && e.body.length > 300 ? `${e.body.slice(0, 300)}…` : e.body,
        href: disputeHref,
      };
    case 'note':
      return {
        title: 'Note',
        detail: join(e.body, invoicesOf(e) ? `written to the books on ${invoicesOf(e)}` : ''),
        href: null,
      };
    case 'call.logged':
      return {
        title: `Call: ${CALL_OUTCOMES[str(d.outcome)] ?? 'logged'}`,
        detail: join(e.body, invoicesOf(e)),
        href: null,
      };
    case 'portal.visit':
      return { title: 'Visited the portal', detail: null, href: null };
    case 'portal.link_sent':
      return { title: 'Portal link e-mailed', detail: null, href: null };
    case 'portal.links_revoked':
      return { title: 'Portal links revoked', detail: `${str(d.count)} live link(s)`, href: null };
    case 'customer.paused':
      return { title: `Reminders paused until ${str(d.until)}`, detail: e.body, href: null };
    case 'customer.resumed':
      return { title: 'Reminders resumed', detail: null, href: null };
    case 'sequence.changed':
      return {
        title: d.to ? `Sequence set to ${str(d.to)} by hand` : 'Sequence back to automatic',
        detail: d.from ? `was ${str(d.from)}` : null,
        href: null,
      };
    case 'tags.changed':
      return {
        title: 'Tags changed',
        detail: Array.isArray(d.to) && d.to.length ? (d.to as string[]).join(', ') : 'no tags',
        href: null,
      };
    case 'pilot.changed':
      return { title: d.pilot ? 'Added to the pilot' : 'Taken out of the pilot', detail: null, href: null };
    case 'contact.unsubscribed':
      return { title: 'A contact unsubscribed from reminders', detail: e.body, href: null };
    case 'preferences.updated':
      return { title: 'Contact preferences updated', detail: e.body, href: null };
    case 'contact.exported':
      return { title: "A contact's data was exported (data request)", detail: null, href: null };
    case 'contact.erased':
      return { title: "A contact's personal data was erased (data request)", detail: null, href: null };
    default:
      return { title: e.kind.replace(/[._]/g, ' '), detail: join(e.body, invoicesOf(e)), href: disputeHref };
  }
}

function actorOf(e: TimelineEntry): string {
  if (e.actorType === 'user') return e.actorName ?? 'a clerk';
  if (e.actorType === 'customer') return 'the customer';
  return 'Duely';
}

export function timelineLine(e: TimelineEntry, zone: string): TimelineLine {
  const { title, detail, href } = describe(e);
  return {
    key: e.key,
    kind: e.kind,
    group: e.kind.split('.')[0]!,
    at: timeIn(zone, e.at, e.dateOnly),
    atIso: e.at.toISOString(),
    title,
    detail,
    actor: actorOf(e),
    href,
  };
}
