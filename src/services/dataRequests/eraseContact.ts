/**
 * GDPR erasure of one contact, in one transaction:
 *
 * - the contact: name, e-mail, phone and preferences blanked, `erased_at` set, its key replaced by
 *   a hash (suppression.ts) so the next sync does not bring the person back;
 * - e-mails to their address: recipient and body redacted (subject kept: it names invoices, not
 *   people); one still waiting to go is failed, never sent;
 * - messages to their address: the address removed (a queued one is failed);
 * - dispute messages they wrote: body replaced by "erased on request", attachments deleted; the
 *   dispute's reply address removed;
 * - their portal links revoked and their sealed tokens dropped;
 * - their address and name redacted from timeline entries, task texts and write-back notes not yet
 *   sent; identifying details dropped from the data of activities about them;
 * - the customer's own e-mail/phone, when they were this person's, blanked (and kept blank on sync).
 *
 * Invoices, payments, credit notes, amounts, promises' amounts and dates stay: they are the
 * firm's accounting records. Audited; a second request finds the contact already erased and
 * changes nothing.
 */
import { eq, sql, type SQL } from 'drizzle-orm';
import type { AppContext } from '../../app/context';
import { contacts, customers } from '../../db/schema';
import type { OrgScope } from '../../db/scope';
import { audit, type Actor } from '../audit';
import { recordActivity } from '../customers/activities';
import { findContact, findCustomer } from '../customers/detail';
import { erasedContactKey, hashIdentifier, phoneKey, type ErasedIdentifiers } from './suppression';

export const ERASED_TEXT = 'erased on request';
const ERASED_MARK = '[erased]';
const FAILED_REASON = 'recipient erased on request';

export interface EraseResult {
  contactId: string;
  alreadyErased: boolean;
  counts: Record<string, number>;
}

/** A PostgreSQL regular expression matching `text` literally. */
function literalRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function count(q: Promise<{ rowCount?: number | null } | unknown>): Promise<number> {
  const r = (await q) as { rowCount?: number | null; affectedRows?: number };
  return Number(r.rowCount ?? r.affectedRows ?? 0);
}

export async function eraseContact(
  app: Pick<AppContext, 'now'>,
  scope: OrgScope,
  customerId: string,
  contactId: string,
  actor: Actor,
): Promise<EraseResult> {
  const customer = await findCustomer(scope, customerId);
  await findContact(scope, customer.id, contactId);
  const now = app.now();
  const nowSql = sql`${now.toISOString()}::timestamptz`;
  return scope.transaction(async (tx) => {
    // lock the contact: two requests at once erase once
    const [k] = await tx.db
      .select()
      .from(contacts)
      .where(tx.where(contacts, eq(contacts.id, contactId)))
      .for('update');
    if (!k) throw new Error('contact vanished');
    if (k.erasedAt) return { contactId, alreadyErased: true, counts: {} };
    const org = tx.organizationId;
    const address = k.email?.trim().toLowerCase() || null;
    const name = k.name?.trim() || null;
    const phone = k.phone?.trim() || null;
    const db = tx.db;
    const counts: Record<string, number> = {};

    // patterns to redact in free text: the address, the full name (3+ characters), the phone
    const patterns = [
      address,
      name && name.length >= 3 ? name : null,
      phone && phoneKey(phone).length >= 6 ? phone : null,
    ]
      .filter((x): x is string => !!x)
      .map(literalRegex);
    const redact = (col: SQL): SQL =>
      patterns.reduce<SQL>((acc, p) => sql`regexp_replace(${acc}, ${p}, ${ERASED_MARK}, 'gi')`, col);
    const mentions = (col: SQL): SQL =>
      patterns.length
        ? sql`(${sql.join(
            patterns.map((p) => sql`${col} ~* ${p}`),
            sql` or `,
          )})`
        : sql`false`;

    if (address) {
      counts.emails = await count(
        db.execute(sql`update emails
                          set to_address = ${ERASED_MARK}, text = ${ERASED_TEXT}, html = null,
                              reply_to = case when lower(reply_to) = ${address} then null else reply_to end,
                              status = case when status in ('queued', 'sending') then 'failed' else status end,
                              error = case when status in ('queued', 'sending') then ${FAILED_REASON} else error end
                        where organization_id = ${org} and lower(to_address) = ${address}`),
      );
      counts.messages = await count(
        db.execute(sql`update messages
                          set to_address = null,
                              status = case when status = 'queued' then 'failed' else status end,
                              error = case when status = 'queued' then ${FAILED_REASON} else error end
                        where organization_id = ${org} and customer_id = ${customer.id}
                          and lower(to_address) = ${address}`),
      );
    }

    // disputes they opened or that answer to their address: their messages and files
    const theirDisputes = sql`select d.id from disputes d
                               where d.organization_id = ${org} and d.customer_id = ${customer.id}
                                 and (d.contact_id = ${k.id} or (${address}::text is not null
                                      and lower(d.reply_email) = ${address}))`;
    counts.attachments = await count(
      db.execute(sql`delete from attachments a
                      using dispute_messages dm
                      where a.organization_id = ${org} and dm.organization_id = ${org}
                        and a.message_id = dm.id and dm.author = 'customer'
                        and dm.dispute_id in (${theirDisputes})`),
    );
    counts.disputeMessages = await count(
      db.execute(sql`update dispute_messages set body = ${ERASED_TEXT}
                      where organization_id = ${org} and author = 'customer'
                        and dispute_id in (${theirDisputes}) and body <> ${ERASED_TEXT}`),
    );
    if (address)
      await db.execute(sql`update disputes set reply_email = null, updated_at = ${nowSql}
                            where organization_id = ${org} and customer_id = ${customer.id}
                              and lower(reply_email) = ${address}`);

    counts.portalLinks = await count(
      db.execute(sql`update portal_tokens
                        set revoked_at = coalesce(revoked_at, ${nowSql}), token_ciphertext = null
                      where organization_id = ${org} and contact_id = ${k.id}`),
    );

    // activities about them: what they wrote goes; identifying details go from the rest
    counts.activities = await count(
      db.execute(sql`update activities
                        set body = case when actor_type = 'customer' then null
                                        when body is null then null else ${redact(sql`body`)} end,
                            data = data - 'email' - 'to' - 'address' - 'phone' - 'digits' - 'name'
                      where organization_id = ${org} and customer_id = ${customer.id}
                        and data->>'contactId' = ${k.id}`),
    );
    if (patterns.length) {
      counts.activityMentions = await count(
        db.execute(sql`update activities set body = ${redact(sql`body`)}
                        where organization_id = ${org} and customer_id = ${customer.id}
                          and body is not null and ${mentions(sql`body`)}`),
      );
      counts.tasks = await count(
        db.execute(sql`update tasks
                          set title = ${redact(sql`title`)},
                              talking_points = ${redact(sql`talking_points::text`)}::jsonb,
                              outcome_note = case when outcome_note is null then null
                                                  else ${redact(sql`outcome_note`)} end
                        where organization_id = ${org} and customer_id = ${customer.id}
                          and (${mentions(sql`title`)} or ${mentions(sql`talking_points::text`)}
                               or ${mentions(sql`coalesce(outcome_note, '')`)})`),
      );
      counts.promiseNotes = await count(
        db.execute(sql`update promises set note = ${redact(sql`note`)}
                        where organization_id = ${org} and customer_id = ${customer.id}
                          and note is not null and ${mentions(sql`note`)}`),
      );
      // notes still waiting to be written to the books (sent ones are in the books: the firm's to edit)
      counts.writeBacks = await count(
        db.execute(sql`update write_backs set payload = ${redact(sql`payload::text`)}::jsonb
                        where organization_id = ${org} and status in ('pending', 'running', 'failed')
                          and ${mentions(sql`payload::text`)}`),
      );
    }

    // the customer's own e-mail and phone, when they were this person's
    const erased: ErasedIdentifiers = {
      ...((customer.profile as { erased?: ErasedIdentifiers }).erased ?? {}),
    };
    const set: Partial<typeof customers.$inferInsert> = {};
    if (address) {
      erased.emails = [...new Set([...(erased.emails ?? []), hashIdentifier(address)])];
      if (customer.email?.trim().toLowerCase() === address) set.email = null;
    }
    if (phone && phoneKey(phone)) {
      erased.phones = [...new Set([...(erased.phones ?? []), hashIdentifier(phoneKey(phone))])];
      if (customer.phone && phoneKey(customer.phone) === phoneKey(phone)) set.phone = null;
    }
    const profile = { ...customer.profile, erased } as typeof customer.profile;
    for (const f of ['apContact', 'remarks'] as const) {
      const v = profile[f];
      if (typeof v === 'string' && patterns.some((p) => new RegExp(p, 'i').test(v)))
        profile[f] = v.replace(new RegExp(patterns.join('|'), 'gi'), ERASED_MARK);
    }
    await tx.update(customers, { ...set, profile, updatedAt: now }, eq(customers.id, customer.id));

    await tx.update(
      contacts,
      {
        name: null,
        email: null,
        phone: null,
        preferredChannel: null,
        contactHours: null,
        timezone: null,
        externalKey: k.externalKey ? erasedContactKey(k.externalKey) : null,
        erasedAt: now,
        updatedAt: now,
      },
      eq(contacts.id, k.id),
    );
    await audit(
      tx,
      actor,
      'data_request.erased',
      { type: 'contact', id: k.id },
      { customerId: customer.id, counts },
    );
    await recordActivity(tx, {
      customerId: customer.id,
      kind: 'contact.erased',
      actor,
      data: { contactId: k.id },
    });
    return { contactId: k.id, alreadyErased: false, counts };
  });
}
