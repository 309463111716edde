/**
 * GDPR access request: everything Duely holds about one contact of one customer, as one JSON
 * document — the contact row and preferences, the messages and e-mails sent to their address,
 * their portal links (metadata only: never the token, its hash or its sealed form), the
 * activities about them, the promises and disputes they made and the dispute messages they wrote
 * (attachments listed by name, type, size and hash). Nothing of any other contact. Audited.
 */
import { sql } from 'drizzle-orm';
import { queryRows } from '../../db/client';
import type { OrgScope } from '../../db/scope';
import { audit, type Actor } from '../audit';
import { recordActivity } from '../customers/activities';
import { findContact, findCustomer } from '../customers/detail';

export const EXPORT_FORMAT = 'duely.contact-export/1';

export interface ContactExport {
  format: typeof EXPORT_FORMAT;
  exportedAt: string;
  firm: { name: string };
  customer: { id: string; name: string };
  contact: Record<string, unknown>;
  preferences: Record<string, unknown>;
  messages: Record<string, unknown>[];
  emails: Record<string, unknown>[];
  portalLinks: Record<string, unknown>[];
  activities: Record<string, unknown>[];
  promises: Record<string, unknown>[];
  disputes: Record<string, unknown>[];
  disputeMessages: Record<string, unknown>[];
}

export async function exportContact(
  scope: OrgScope,
  customerId: string,
  contactId: string,
  actor: Actor,
  now: Date,
): Promise<ContactExport> {
  const customer = await findCustomer(scope, customerId);
  const k = await findContact(scope, customer.id, contactId);
  const org = scope.organizationId;
  const address = k.email?.trim().toLowerCase() || null;
  const [firm] = await queryRows<{ name: string }>(
    scope.db,
    sql`select name from organizations where id = ${org}`,
  );

  const messages = address
    ? await queryRows<Record<string, unknown>>(
        scope.db,
        sql`select m.id, m.channel, m.status, m.to_address as "toAddress", m.subject, m.send_at as "sendAt",
                   m.sent_at as "sentAt", m.opened_at as "openedAt", m.clicked_at as "clickedAt",
                   m.bounced_at as "bouncedAt", m.error,
                   (select array_agg(coalesce(i.number, i.external_id)) from invoices i
                     where i.organization_id = m.organization_id and i.id = any(m.invoice_ids)) as "invoiceNumbers"
              from messages m
             where m.organization_id = ${org} and m.customer_id = ${customer.id}
               and lower(m.to_address) = ${address}
             order by m.send_at`,
      )
    : [];
  const emails = address
    ? await queryRows<Record<string, unknown>>(
        scope.db,
        sql`select id, kind, from_address as "fromAddress", to_address as "toAddress", reply_to as "replyTo",
                   subject, text, status, created_at as "createdAt", sent_at as "sentAt", error
              from emails
             where organization_id = ${org} and lower(to_address) = ${address}
             order by created_at`,
      )
    : [];
  const portalLinks = await queryRows<Record<string, unknown>>(
    scope.db,
    sql`select id, origin, created_at as "createdAt", expires_at as "expiresAt", last_used_at as "lastUsedAt",
               revoked_at as "revokedAt"
          from portal_tokens
         where organization_id = ${org} and customer_id = ${customer.id} and contact_id = ${k.id}
         order by created_at`,
  );
  const activities = await queryRows<Record<string, unknown>>(
    scope.db,
    sql`select id, kind, actor_type as "actorType", body, data, created_at as "createdAt"
          from activities
         where organization_id = ${org} and customer_id = ${customer.id} and data->>'contactId' = ${k.id}
         order by created_at`,
  );
  const promises = await queryRows<Record<string, unknown>>(
    scope.db,
    sql`select id, amount::text as amount, currency, promised_date::text as "promisedDate", status, source, note,
               created_at as "createdAt"
          from promises
         where organization_id = ${org} and customer_id = ${customer.id} and contact_id = ${k.id}
         order by created_at`,
  );
  // their disputes: opened by them, or answered to their address
  const disputes = await queryRows<Record<string, unknown> & { id: string }>(
    scope.db,
    sql`select id, reference, kind, category, status, source, reply_email as "replyEmail", created_at as "createdAt",
               resolved_at as "resolvedAt"
          from disputes
         where organization_id = ${org} and customer_id = ${customer.id}
           and (contact_id = ${k.id} or (${address}::text is not null and lower(reply_email) = ${address}))
         order by created_at`,
  );
  const disputeIds = disputes.map((d) => d.id);
  const disputeMessages = disputeIds.length
    ? await queryRows<Record<string, unknown>>(
        scope.db,
        sql`select dm.id, d.reference as "disputeReference", dm.body, dm.created_at as "createdAt",
                   coalesce((select jsonb_agg(jsonb_build_object('filename', a.filename, 'contentType', a.content_type,
                                                                  'size', a.size, 'sha256', a.sha256))
                               from attachments a
                              where a.organization_id = dm.organization_id and a.message_id = dm.id), '[]'::jsonb)
                     as attachments
              from dispute_messages dm
              join disputes d on d.id = dm.dispute_id and d.organization_id = dm.organization_id
             where dm.organization_id = ${org} and dm.author = 'customer'
               and dm.dispute_id in (select jsonb_array_elements_text(${JSON.stringify(disputeIds)}::jsonb)::uuid)
             order by dm.created_at`,
      )
    : [];

  await audit(
    scope,
    actor,
    'data_request.exported',
    { type: 'contact', id: k.id },
    {
      customerId: customer.id,
      counts: {
        messages: messages.length,
        emails: emails.length,
        portalLinks: portalLinks.length,
        activities: activities.length,
        disputeMessages: disputeMessages.length,
      },
    },
  );
  await recordActivity(scope, {
    customerId: customer.id,
    kind: 'contact.exported',
    actor,
    data: { contactId: k.id },
  });

  return {
    format: EXPORT_FORMAT,
    exportedAt: now.toISOString(),
    firm: { name: firm?.name ?? '' },
    customer: { id: customer.id, name: customer.name },
    contact: {
      id: k.id,
      name: k.name,
      email: k.email,
      phone: k.phone,
      role: k.role,
      isPrimary: k.isPrimary,
      source: k.source,
      emailStatus: k.emailStatus,
      unsubscribedAt: k.unsubscribedAt,
      erasedAt: k.erasedAt,
      createdAt: k.createdAt,
      updatedAt: k.updatedAt,
    },
    preferences: {
      preferredChannel: k.preferredChannel,
      contactHours: k.contactHours,
      timezone: k.timezone,
      unsubscribed: Boolean(k.unsubscribedAt),
    },
    messages,
    emails,
    portalLinks,
    activities,
    promises,
    disputes,
    disputeMessages,
  };
}
