/**
 * "Send me a new link": a visitor with an expired or revoked link types an e-mail address. When it
 * is (case-insensitively) the address of a contact still on file — not erased, not bounced — or
 * the customer's own address, a fresh link (origin `renewal`) is issued and e-mailed to the
 * address on file. Within the firm of the expired link when it is known, else across firms (a
 * handful of matches at most). The caller answers the same whether anything matched.
 */
import { eq, sql } from 'drizzle-orm';
import type { AppContext } from '../../app/context';
import { queryRows } from '../../db/client';
import { activities, organizations } from '../../db/schema';
import { OrgScope } from '../../db/scope';
import { getLogger } from '../../logging/logger';
import { audit } from '../audit';
import { queueEmail } from '../email';
import { firmPolicies } from '../policies';
import { portalLinkEmail } from './linkEmail';
import { issuePortalLink } from './tokens';

const log = getLogger('portal.renewal');
/** One address may be on file with a few customers (branches, several firms): at most this many links. */
const MAX_LINKS = 5;

interface Match {
  organizationId: string;
  customerId: string;
  contactId: string | null;
  contactName: string | null;
  address: string;
}

/** Find what the address stands for; issue and e-mail one link per customer. Returns how many. */
export async function renewPortalLink(
  app: Pick<AppContext, 'db' | 'keyRing' | 'config' | 'now' | 'queue'>,
  p: { email: string; organizationId: string | null },
): Promise<number> {
  const address = p.email.trim().toLowerCase();
  const matches = await findMatches(app, address, p.organizationId);
  for (const m of matches) {
    const scope = new OrgScope(app.db, m.organizationId);
    const link = await issuePortalLink(app, scope, {
      customerId: m.customerId,
      contactId: m.contactId,
      origin: 'renewal',
    });
    const [firm] = await app.db
      .select({
        name: organizations.name,
        branding: organizations.branding,
        settings: organizations.settings,
      })
      .from(organizations)
      .where(eq(organizations.id, m.organizationId));
    const [customer] = await queryRows<{ name: string }>(
      app.db,
      sql`select name from customers where id = ${m.customerId} and organization_id = ${m.organizationId}`,
    );
    const mail = portalLinkEmail({
      firmName: firm!.name,
      customerName: customer!.name,
      contactName: m.contactName,
      url: link.url,
      ttlDays: firmPolicies(firm!).portal.linkTtlDays,
      brandColor: firm!.branding.color ?? null,
      signature: firm!.branding.signature ?? null,
    });
    await queueEmail(app, {
      organizationId: m.organizationId,
      kind: 'portal_link',
      idempotencyKey: `portal-link:${link.tokenId}`,
      to: m.address,
      replyTo: firm!.branding.replyTo ?? null,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
    });
    await scope.insert(activities, {
      customerId: m.customerId,
      kind: 'portal.link_sent',
      actorType: 'customer',
      data: { origin: 'renewal', to: m.address, tokenId: link.tokenId },
    });
    await audit(
      scope,
      { type: 'customer', id: m.customerId },
      'portal.link_renewed',
      { type: 'customer', id: m.customerId },
      { tokenId: link.tokenId, contactId: m.contactId },
    );
  }
  log.info({ firmKnown: Boolean(p.organizationId), links: matches.length }, 'portal link renewal handled');
  return matches.length;
}

async function findMatches(
  app: Pick<AppContext, 'db'>,
  address: string,
  organizationId: string | null,
): Promise<Match[]> {
  if (!address || address.length > 320) return [];
  const inFirm = (alias: string) =>
    organizationId ? sql`and ${sql.raw(alias)}.organization_id = ${organizationId}` : sql``;
  const rows = await queryRows<{
    organization_id: string;
    customer_id: string;
    contact_id: string | null;
    contact_name: string | null;
    email: string;
  }>(
    app.db,
    sql`select k.organization_id, k.customer_id, k.id as contact_id, k.name as contact_name, k.email
          from contacts k join customers c on c.id = k.customer_id
         where lower(k.email) = ${address} and k.erased_at is null and k.email_status = 'ok'
           and c.deleted_at is null ${inFirm('k')}
        union all
        select c.organization_id, c.id, null, null, c.email
          from customers c
         where lower(c.email) = ${address} and c.deleted_at is null ${inFirm('c')}
           and not exists (
             select 1 from contacts k
              where k.customer_id = c.id and lower(k.email) = ${address}
                and (k.erased_at is not null or k.email_status = 'bounced'))
        order by 1, 2, 3 nulls last
        limit 50`,
  );
  const seen = new Set<string>();
  const out: Match[] = [];
  for (const r of rows) {
    const key = `${r.organization_id}:${r.customer_id}`;
    if (seen.has(key)) continue; // a contact match (listed first) wins over the customer's own address
    seen.add(key);
    out.push({
      organizationId: r.organization_id,
      customerId: r.customer_id,
      contactId: r.contact_id,
      contactName: r.contact_name,
      address: r.email,
    });
    if (out.length >= MAX_LINKS) break;
  }
  return out;
}
