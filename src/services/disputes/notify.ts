/**
 * The e-mails of a dispute's life: the clerks hear of a new case and of each customer reply;
 * the customer gets an acknowledgement with the reference, each clerk reply, and the outcome.
 * Plain text (people's own words are never poured into HTML), one row per idempotency key.
 */
import { DateTime } from 'luxon';
import type { AppContext } from '../../app/context';
import type { disputes } from '../../db/schema';
import type { OrgScope } from '../../db/scope';
import type { Organization } from '../organizations';
import { caseLink, emailRecorded, firmClerks, signature } from '../cases/mail';
import { queueEmail } from '../email';
import { categoryLabel, kindNoun, OUTCOME_SENTENCES } from './words';

type Dispute = typeof disputes.$inferSelect;

const quote = (text: string) =>
  text
    .split(/\r?\n/)
    .map((l) => `> ${l}`)
    .join('\n');

export function formatDue(at: Date, zone: string): string {
  return DateTime.fromJSDate(at, { zone }).toFormat("cccc d LLLL yyyy, HH:mm '('ZZZZ')'");
}

/** The firm's clerks (or the case owner, when it has one) hear about a new case or a customer reply. */
export async function notifyClerks(
  app: AppContext,
  scope: OrgScope,
  org: Organization,
  d: Dispute,
  p: {
    event: 'opened' | 'customer_reply';
    customerName: string;
    body: string;
    messageId: string;
    invoiceLabels: string[];
  },
): Promise<void> {
  const clerks = await firmClerks(scope);
  const to =
    d.ownerUserId && p.event === 'customer_reply' ? clerks.filter((c) => c.userId === d.ownerUserId) : clerks;
  const url = `${app.config.BASE_URL}/disputes/${d.id}`;
  const noun = kindNoun(d.kind);
  const subject =
    p.event === 'opened'
      ? `New ${noun} ${d.reference} from ${p.customerName}: ${categoryLabel(d.category)}`
      : `${p.customerName} replied on ${noun} ${d.reference}`;
  const lines = [
    p.event === 'opened'
      ? `${p.customerName} opened ${noun} ${d.reference} (${categoryLabel(d.category)}).`
      : `${p.customerName} replied on ${noun} ${d.reference}.`,
    p.invoiceLabels.length ? `Invoices: ${p.invoiceLabels.join(', ')}` : null,
    p.event === 'opened' && !d.firstResponseAt
      ? `First response due: ${formatDue(d.firstResponseDueAt, org.timezone)}`
      : null,
    '',
    quote(p.body),
    '',
    `Answer it in Duely: ${url}`,
  ].filter((l) => l !== null);
  for (const c of to) {
    await queueEmail(app, {
      organizationId: scope.organizationId,
      kind: `dispute.${p.event}.clerk`,
      idempotencyKey: `dispute-message:${p.messageId}:clerk:${c.userId}`,
      to: c.email,
      subject,
      text: lines.join('\n') + '\n',
    });
  }
}

/** The customer's acknowledgement of a new case, with its reference and a portal link. */
export async function acknowledge(
  app: AppContext,
  scope: OrgScope,
  org: Organization,
  d: Dispute,
  p: {
    to: string;
    contactName: string | null;
    contactId: string | null;
    invoiceLabels: string[];
    body: string;
  },
): Promise<void> {
  const key = `dispute-ack:${d.id}`;
  if (await emailRecorded(app, key)) return;
  const url = await caseLink(app, scope, d.customerId, p.contactId);
  const noun = kindNoun(d.kind);
  const about = p.invoiceLabels.length ? ` about ${p.invoiceLabels.join(', ')}` : '';
  const text = [
    `Hello ${p.contactName?.trim() || 'there'},`,
    '',
    `Thank you for getting in touch. We have received your ${noun}${about} (${categoryLabel(d.category)}). Its reference is ${d.reference}.`,
    d.kind === 'dispute' || p.invoiceLabels.length
      ? 'We will not send payment reminders about these invoices while we look into it.'
      : null,
    d.firstResponseAt ? null : `We will answer by ${formatDue(d.firstResponseDueAt, org.timezone)}.`,
    '',
    'Your message:',
    quote(p.body),
    '',
    `Follow the case or add to it on your account page: ${url}`,
    '',
    signature(org),
  ].filter((l) => l !== null);
  await queueEmail(app, {
    organizationId: scope.organizationId,
    kind: 'dispute.acknowledgement',
    idempotencyKey: key,
    to: p.to,
    replyTo: org.branding.replyTo ?? null,
    subject: `We received your ${noun} ${d.reference}`,
    text: text.join('\n') + '\n',
  });
}

/** A clerk's reply, by e-mail to the case's address, with a link to answer in the portal. */
export async function sendClerkReply(
  app: AppContext,
  scope: OrgScope,
  org: Organization,
  d: Dispute,
  p: { messageId: string; body: string; attachmentName: string | null; createdByUserId: string | null },
): Promise<string | null> {
  if (!d.replyEmail) return null;
  const url = await caseLink(app, scope, d.customerId, d.contactId, p.createdByUserId);
  const text = [
    p.body.trim(),
    '',
    p.attachmentName ? `A file is attached to this reply on your account page: ${p.attachmentName}` : null,
    `Reply or follow ${kindNoun(d.kind)} ${d.reference} on your account page: ${url}`,
    '',
    signature(org),
  ].filter((l) => l !== null);
  const email = await queueEmail(app, {
    organizationId: scope.organizationId,
    kind: 'dispute.reply',
    idempotencyKey: `dispute-message:${p.messageId}`,
    to: d.replyEmail,
    replyTo: org.branding.replyTo ?? null,
    subject: `Re: your ${kindNoun(d.kind)} ${d.reference}`,
    text: text.join('\n') + '\n',
  });
  return email.id;
}

/** The outcome, told to the customer. */
export async function sendResolution(
  app: AppContext,
  scope: OrgScope,
  org: Organization,
  d: Dispute,
  p: { outcome: string; eventKey: string },
): Promise<void> {
  if (!d.replyEmail) return;
  const url = await caseLink(app, scope, d.customerId, d.contactId);
  const noun = kindNoun(d.kind);
  const text = [
    'Hello,',
    '',
    `Your ${noun} ${d.reference} (${categoryLabel(d.category)}) is resolved. ${OUTCOME_SENTENCES[p.outcome] ?? ''}`.trim(),
    '',
    `If something is still not right, reply on your account page: ${url}`,
    '',
    signature(org),
  ];
  await queueEmail(app, {
    organizationId: scope.organizationId,
    kind: 'dispute.resolved',
    idempotencyKey: `dispute-resolved:${d.id}:${p.eventKey}`,
    to: d.replyEmail,
    replyTo: org.branding.replyTo ?? null,
    subject: `Your ${noun} ${d.reference} is resolved`,
    text: text.join('\n') + '\n',
  });
}
