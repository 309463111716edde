/**
 * Portal links from the customer page: e-mail a new magic link to one of the customer's contacts
 * (the link, the e-mail row and the timeline entry commit together; the send job is enqueued
 * after), and revoke every live link of the customer. The link itself is never logged, audited
 * or put on the timeline: only the token row's id.
 */
import { eq } from 'drizzle-orm';
import type { AppContext } from '../../app/context';
import { organizations } from '../../db/schema';
import type { OrgScope } from '../../db/scope';
import { escapeHtml } from '../../email/escape';
import { audit, type Actor } from '../audit';
import { queueEmail } from '../email';
import { ValidationError } from '../errors';
import { firmPolicies } from '../policies';
import { issuePortalLink, revokePortalLinks } from '../portal/tokens';
import { recordActivity } from './activities';
import { findContact, findCustomer } from './detail';
import { lockRequest, priorActivity } from './requestKey';
import { caseTransaction } from '../cases/transaction';

export interface SentLink {
  tokenId: string;
  emailId: string;
  duplicate: boolean;
}

function linkEmail(p: {
  firmName: string;
  contactName: string | null;
  url: string;
  ttlDays: number;
  signature: string | null;
}): { subject: string; text: string; html: string } {
  const hello = p.contactName ? `Hello ${p.contactName},` : 'Hello,';
  const lines = [
    `Here is your link to your account page with ${p.firmName}: your open invoices, copies to download, online payment, and a way to tell us about any question.`,
    `This link is personal; please do not forward it. It stays valid for ${p.ttlDays} days after it was last used.`,
  ];
  const sign = p.signature?.trim() || p.firmName;
  return {
    subject: `Your account page with ${p.firmName}`,
    text: `${hello}\n\n${lines[0]}\n\n${p.url}\n\n${lines[1]}\n\n${sign}\n`,
    html:
      `<p>${escapeHtml(hello)}</p><p>${escapeHtml(lines[0]!)}</p>` +
      `<p><a href="${escapeHtml(p.url)}">Open your account page</a></p>` +
      `<p>${escapeHtml(lines[1]!)}</p><p>${escapeHtml(sign).replace(/\n/g, '<br>')}</p>`,
  };
}

export async function sendPortalLink(
  app: AppContext,
  scope: OrgScope,
  customerId: string,
  p: { contactId: string; requestKey: string },
  actor: Actor,
): Promise<SentLink> {
  const customer = await findCustomer(scope, customerId);
  if (!p.contactId) throw new ValidationError('choose the contact to send the link to', 'contactId');
  const contact = await findContact(scope, customer.id, p.contactId);
  if (contact.erasedAt) throw new ValidationError('this contact was erased on request', 'contactId');
  if (!contact.email) throw new ValidationError('this contact has no e-mail address', 'contactId');
  if (contact.emailStatus === 'bounced')
    throw new ValidationError(
      'e-mail to this contact bounced; correct the address in the books first',
      'contactId',
    );
  const [org] = await scope.db.select().from(organizations).where(eq(organizations.id, scope.organizationId));
  const ttlDays = firmPolicies(org!).portal.linkTtlDays;
  return caseTransaction(app, scope, async (txApp, tx) => {
    await lockRequest(tx, p.requestKey);
    const prior = await priorActivity(tx, customer.id, 'portal.link_sent', p.requestKey);
    if (prior)
      return { tokenId: String(prior.data.tokenId), emailId: String(prior.data.emailId), duplicate: true };
    const link = await issuePortalLink(txApp, tx, {
      customerId: customer.id,
      contactId: contact.id,
      origin: 'clerk',
      createdByUserId: actor.type === 'user' ? actor.id : null,
    });
    const mail = linkEmail({
      firmName: org!.name,
      contactName: contact.name,
      url: link.url,
      ttlDays,
      signature: org!.branding.signature ?? null,
    });
    const email = await queueEmail(txApp, {
      organizationId: scope.organizationId,
      kind: 'portal_link',
      idempotencyKey: `portal-link:${link.tokenId}`,
      to: contact.email!,
      replyTo: org!.branding.replyTo ?? null,
      ...mail,
    });
    const data = {
      requestKey: p.requestKey,
      contactId: contact.id,
      tokenId: link.tokenId,
      emailId: email.id,
    };
    await recordActivity(tx, { customerId: customer.id, kind: 'portal.link_sent', actor, data });
    await audit(
      tx,
      actor,
      'portal.link_sent',
      { type: 'customer', id: customer.id },
      {
        contactId: contact.id,
        tokenId: link.tokenId,
        emailId: email.id,
      },
    );
    return { tokenId: link.tokenId, emailId: email.id, duplicate: false };
  });
}

/** Revoke every live link of the customer (audited by the portal service) and note it on the timeline. */
export async function revokeCustomerLinks(
  app: AppContext,
  scope: OrgScope,
  customerId: string,
  actor: Actor,
): Promise<number> {
  await findCustomer(scope, customerId);
  return scope.transaction(async (tx) => {
    const n = await revokePortalLinks(app, tx, customerId, actor);
    await recordActivity(tx, { customerId, kind: 'portal.links_revoked', actor, data: { count: n } });
    return n;
  });
}
