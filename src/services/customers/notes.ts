/**
 * A clerk's note on a customer: an activity on the timeline, audited, and written back to the
 * books on the chosen invoices (or the customer's oldest open invoice) through the write-back
 * queue. The same form submitted twice is one note and one write-back per invoice.
 */
import { eq } from 'drizzle-orm';
import type { AppContext } from '../../app/context';
import { users } from '../../db/schema';
import type { OrgScope } from '../../db/scope';
import { audit, type Actor } from '../audit';
import { ValidationError } from '../errors';
import { queueInvoiceNote } from '../writeBack/queue';
import { recordActivity } from './activities';
import { customerInvoiceIds, findCustomer, oldestOpenInvoiceId } from './detail';
import { lockRequest, priorActivity } from './requestKey';
import { caseTransaction } from '../cases/transaction';

export const MAX_NOTE = 2000;

export interface NoteResult {
  activityId: string;
  /** Invoices the note is written back to (empty when the customer has no open invoice). */
  invoiceIds: string[];
  writeBackIds: string[];
  duplicate: boolean;
}

/** Who wrote it, as the books should show it. */
export async function actorLabel(scope: OrgScope, actor: Actor): Promise<string> {
  if (actor.type !== 'user' || !actor.id) return 'Duely';
  const [u] = await scope.db
    .select({ name: users.name, email: users.email })
    .from(users)
    .where(eq(users.id, actor.id));
  return u?.name || u?.email || 'a clerk';
}

/** Invoices the clerk picked (all must be this customer's), else the oldest open one. */
export async function noteInvoices(scope: OrgScope, customerId: string, picked: string[]): Promise<string[]> {
  const unique = [...new Set(picked.filter(Boolean))];
  if (unique.length) {
    const mine = await customerInvoiceIds(scope, customerId, unique);
    if (mine.length !== unique.length)
      throw new ValidationError("pick only this customer's invoices", 'invoiceIds');
    return unique;
  }
  const oldest = await oldestOpenInvoiceId(scope, customerId);
  return oldest ? [oldest] : [];
}

export async function queueNoteWriteBacks(
  app: AppContext,
  scope: OrgScope,
  p: { activityId: string; invoiceIds: string[]; text: string },
): Promise<string[]> {
  const ids: string[] = [];
  for (const invoiceId of p.invoiceIds)
    ids.push(
      await queueInvoiceNote(app, scope, {
        invoiceId,
        text: p.text,
        idempotencyKey: `note:${p.activityId}:${invoiceId}`,
      }),
    );
  return ids;
}

export async function addNote(
  app: AppContext,
  scope: OrgScope,
  customerId: string,
  p: { text: string; invoiceIds: string[]; requestKey: string },
  actor: Actor,
): Promise<NoteResult> {
  await findCustomer(scope, customerId);
  const text = p.text.trim();
  if (!text) throw new ValidationError('write the note', 'text');
  if (text.length > MAX_NOTE) throw new ValidationError(`at most ${MAX_NOTE} characters`, 'text');
  const invoiceIds = await noteInvoices(scope, customerId, p.invoiceIds);
  const who = await actorLabel(scope, actor);
  // the activity and its write-back rows commit together; the jobs are enqueued after the commit
  return caseTransaction(app, scope, async (txApp, tx) => {
    await lockRequest(tx, p.requestKey);
    const prior = await priorActivity(tx, customerId, 'note', p.requestKey);
    if (prior)
      return { activityId: prior.id, invoiceIds: prior.invoiceIds, writeBackIds: [], duplicate: true };
    const activityId = await recordActivity(tx, {
      customerId,
      kind: 'note',
      actor,
      invoiceIds,
      body: text,
      data: { requestKey: p.requestKey },
    });
    const writeBackIds = await queueNoteWriteBacks(txApp, tx, {
      activityId,
      invoiceIds,
      text: `Note by ${who} (Duely): ${text}`,
    });
    await audit(
      tx,
      actor,
      'customer.note_added',
      { type: 'customer', id: customerId },
      {
        activityId,
        invoiceIds,
      },
    );
    return { activityId, invoiceIds, writeBackIds, duplicate: false };
  });
}
