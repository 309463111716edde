/**
 * A hard bounce: the address does not take mail. The e-mail and its reminder message become
 * `bounced`, the contact's address is marked bad (so the planner stops e-mailing it and turns the
 * next e-mail steps into call tasks), the timeline gets an activity and a clerk gets a task to find
 * a working address — each once, however often the bounce is reported.
 */
import { and, eq, isNull, ne, sql } from 'drizzle-orm';
import type { AppContext } from '../../app/context';
import type { Db } from '../../db/client';
import { activities, contacts, emails, messages, organizations, tasks } from '../../db/schema';
import { OrgScope } from '../../db/scope';
import { localDateOf } from '../../domain/calendar';
import { getLogger } from '../../logging/logger';
import { audit, SYSTEM, type Actor } from '../audit';
import { defaultAssignee } from '../tasks/defaultAssignee';

const log = getLogger('delivery');

export interface BounceReport {
  emailId: string;
  reason: string;
  /** `smtp`: the server refused the recipient while sending; `report`: an ESP or a clerk, later. */
  source: 'smtp' | 'report';
  actor?: Actor;
}

/** Returns false when the e-mail had already bounced (nothing changed). */
export async function recordHardBounce(
  app: Pick<AppContext, 'db' | 'now'>,
  report: BounceReport,
): Promise<boolean> {
  const reason =
    report.reason.replace(/\s+/g, ' ').trim().slice(0, 500) || 'the address does not accept mail';
  return app.db.transaction(async (txDb) => {
    const tx = txDb as unknown as Db;
    const [email] = await tx
      .update(emails)
      .set({ status: 'bounced', error: reason })
      .where(and(eq(emails.id, report.emailId), ne(emails.status, 'bounced')))
      .returning({ id: emails.id, organizationId: emails.organizationId, toAddress: emails.toAddress });
    if (!email) return false;
    if (!email.organizationId) return true; // an e-mail of no firm (e.g. an invitation): nothing else to mark
    const scope = new OrgScope(tx, email.organizationId);
    const now = app.now();
    const bounced = await scope
      .update(messages, { status: 'bounced', bouncedAt: now, error: reason }, eq(messages.emailId, email.id))
      .returning({ id: messages.id, customerId: messages.customerId, invoiceIds: messages.invoiceIds });
    const [org] = await tx
      .select({ timezone: organizations.timezone })
      .from(organizations)
      .where(eq(organizations.id, email.organizationId));
    const today = localDateOf(now, org?.timezone ?? 'UTC');
    for (const msg of bounced) {
      const contactId = await markAddressBounced(scope, msg.customerId, email.toAddress);
      await scope.insert(activities, {
        customerId: msg.customerId,
        kind: 'message.bounced',
        actorType: 'system',
        invoiceIds: msg.invoiceIds,
        body: `E-mail to ${email.toAddress} bounced: ${reason}`,
        data: { messageId: msg.id, emailId: email.id, contactId, reason, source: report.source },
      });
      await scope
        .insert(tasks, {
          customerId: msg.customerId,
          invoiceIds: msg.invoiceIds,
          kind: 'call',
          title: `E-mail to ${email.toAddress} bounced — find a working address`,
          assigneeUserId: await defaultAssignee(scope, msg.customerId),
          talkingPoints: [
            `The reminder e-mail to ${email.toAddress} bounced: ${reason}`,
            'Ask for a billing address that works and update the contact in the books.',
          ],
          dueDate: today,
          idempotencyKey: `bounce:${contactId}:${msg.id}`,
        })
        .onConflictDoNothing();
      await audit(
        scope,
        report.actor ?? SYSTEM,
        'message.bounced',
        { type: 'message', id: msg.id },
        {
          reason,
          source: report.source,
        },
      );
    }
    log.info({ emailId: email.id, messages: bounced.length, source: report.source }, 'hard bounce recorded');
    return true;
  });
}

/**
 * Mark every live contact of the customer with that address as bounced. A customer reached at the
 * address on the customer record (no contact rows) gets a Duely contact holding the bad address,
 * so the planner sees it too. Returns the contact's id.
 */
async function markAddressBounced(scope: OrgScope, customerId: string, address: string): Promise<string> {
  const same = and(
    eq(contacts.customerId, customerId),
    sql`lower(${contacts.email}) = lower(${address})`,
    isNull(contacts.erasedAt),
  );
  const updated = await scope
    .update(contacts, { emailStatus: 'bounced', updatedAt: new Date() }, same)
    .returning({ id: contacts.id });
  if (updated[0]) return updated[0].id;
  const [created] = await scope
    .insert(contacts, { customerId, source: 'duely', email: address, emailStatus: 'bounced' })
    .returning({ id: contacts.id });
  return created!.id;
}
