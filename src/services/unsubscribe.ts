/**
 * One-click unsubscribe (RFC 8058). Every reminder carries a signed, per-contact URL
 * `${BASE_URL}/u/<token>` in `List-Unsubscribe` with `List-Unsubscribe-Post:
 * List-Unsubscribe=One-Click`; a POST to it (from the mail client, or the button on the GET page)
 * sets the contact's `unsubscribed_at`. The planner then turns that contact's e-mail steps into call
 * tasks (opted_out) — reminders never simply stop. A customer reached at the address on the
 * customer record (no contact rows) is unsubscribed through a Duely contact holding that address.
 */
import { eq, isNull, sql } from 'drizzle-orm';
import type { AppContext } from '../app/context';
import type { Db } from '../db/client';
import { activities, contacts, customers, organizations, type Branding } from '../db/schema';
import { OrgScope } from '../db/scope';
import { signPayload, uuidBytes, uuidFromBytes, verifyPayload } from '../mail/linkSigning';
import { audit } from './audit';

export type UnsubscribeTarget = { contactId: string } | { customerId: string };

const KIND_CONTACT = 1;
const KIND_CUSTOMER = 2;

export function unsubscribeToken(secret: string, target: UnsubscribeTarget): string {
  const [kind, id] =
    'contactId' in target ? [KIND_CONTACT, target.contactId] : [KIND_CUSTOMER, target.customerId];
  return signPayload(secret, 'unsubscribe', Buffer.concat([Buffer.from([kind]), uuidBytes(id)]));
}

export function unsubscribeUrl(
  app: Pick<AppContext, 'config' | 'sessionSecret'>,
  target: UnsubscribeTarget,
): string {
  return `${app.config.BASE_URL}/u/${unsubscribeToken(app.sessionSecret, target)}`;
}

/** The headers that go with every reminder (RFC 2369 + RFC 8058). */
export function unsubscribeHeaders(url: string): Record<string, string> {
  return { 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}

function parseToken(secret: string, token: string): UnsubscribeTarget | null {
  const p = verifyPayload(secret, 'unsubscribe', token, 17);
  if (!p) return null;
  const id = uuidFromBytes(p.subarray(1));
  if (p[0] === KIND_CONTACT) return { contactId: id };
  if (p[0] === KIND_CUSTOMER) return { customerId: id };
  return null;
}

export interface UnsubscribeSubject {
  organizationId: string;
  customerId: string;
  contactId: string | null;
  address: string;
  unsubscribedAt: Date | null;
  firm: { name: string; branding: Branding };
}

/** Who a token stands for, or null for a forged, tampered or dangling token. */
export async function resolveUnsubscribe(
  app: Pick<AppContext, 'db' | 'sessionSecret'>,
  token: string,
): Promise<UnsubscribeSubject | null> {
  const target = parseToken(app.sessionSecret, token);
  if (!target) return null;
  const firm = { name: organizations.name, branding: organizations.branding };
  if ('contactId' in target) {
    const [row] = await app.db
      .select({
        organizationId: contacts.organizationId,
        customerId: contacts.customerId,
        email: contacts.email,
        unsubscribedAt: contacts.unsubscribedAt,
        erasedAt: contacts.erasedAt,
        ...firm,
      })
      .from(contacts)
      .innerJoin(organizations, eq(organizations.id, contacts.organizationId))
      .where(eq(contacts.id, target.contactId));
    if (!row || row.erasedAt || !row.email) return null;
    return {
      organizationId: row.organizationId,
      customerId: row.customerId,
      contactId: target.contactId,
      address: row.email,
      unsubscribedAt: row.unsubscribedAt,
      firm: { name: row.name, branding: row.branding },
    };
  }
  const [row] = await app.db
    .select({
      organizationId: customers.organizationId,
      email: customers.email,
      deletedAt: customers.deletedAt,
      ...firm,
    })
    .from(customers)
    .innerJoin(organizations, eq(organizations.id, customers.organizationId))
    .where(eq(customers.id, target.customerId));
  if (!row || row.deletedAt || !row.email) return null;
  const existing = await findContactByAddress(
    new OrgScope(app.db, row.organizationId),
    target.customerId,
    row.email,
  );
  return {
    organizationId: row.organizationId,
    customerId: target.customerId,
    contactId: existing?.id ?? null,
    address: row.email,
    unsubscribedAt: existing?.unsubscribedAt ?? null,
    firm: { name: row.name, branding: row.branding },
  };
}

async function findContactByAddress(scope: OrgScope, customerId: string, address: string) {
  const [row] = await scope.db
    .select({ id: contacts.id, unsubscribedAt: contacts.unsubscribedAt })
    .from(contacts)
    .where(
      scope.where(
        contacts,
        eq(contacts.customerId, customerId),
        sql`lower(${contacts.email}) = lower(${address})`,
        isNull(contacts.erasedAt),
      ),
    )
    .limit(1);
  return row;
}

/**
 * Unsubscribe the token's contact (idempotent: a second POST changes nothing and records nothing).
 * Returns null for an invalid token.
 */
export async function unsubscribe(
  app: Pick<AppContext, 'db' | 'sessionSecret' | 'now'>,
  token: string,
  via: 'one-click' | 'page',
): Promise<UnsubscribeSubject | null> {
  const subject = await resolveUnsubscribe(app, token);
  if (!subject) return null;
  if (subject.unsubscribedAt) return subject;
  const now = app.now();
  return app.db.transaction(async (txDb) => {
    const scope = new OrgScope(txDb as unknown as Db, subject.organizationId);
    // one unsubscribe per customer at a time: two clicks never record twice
    await scope.db.execute(
      sql`select pg_advisory_xact_lock(hashtext(${`unsubscribe:${subject.customerId}`}))`,
    );
    let contactId = subject.contactId;
    if (!contactId) {
      const existing = await findContactByAddress(scope, subject.customerId, subject.address);
      if (existing?.unsubscribedAt) return subject;
      contactId = existing?.id ?? null;
    }
    if (contactId) {
      const changed = await scope
        .update(
          contacts,
          { unsubscribedAt: now, updatedAt: now },
          eq(contacts.id, contactId),
          isNull(contacts.unsubscribedAt),
        )
        .returning({ id: contacts.id });
      if (changed.length === 0) return subject; // a concurrent POST got there first
    } else {
      const [created] = await scope
        .insert(contacts, {
          customerId: subject.customerId,
          source: 'duely',
          email: subject.address,
          isPrimary: true,
          unsubscribedAt: now,
        })
        .returning({ id: contacts.id });
      contactId = created!.id;
    }
    await scope.insert(activities, {
      customerId: subject.customerId,
      kind: 'contact.unsubscribed',
      actorType: 'customer',
      body: `${subject.address} unsubscribed from reminder e-mails; reminders become call tasks`,
      data: { contactId, via },
    });
    await audit(
      scope,
      { type: 'customer', id: contactId },
      'contact.unsubscribed',
      { type: 'contact', id: contactId },
      { via },
    );
    return { ...subject, contactId, unsubscribedAt: now };
  });
}
