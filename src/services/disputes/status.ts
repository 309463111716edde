/**
 * The clerk's decisions on a case: its status (waiting on the customer, resolved with an outcome,
 * reopened) and its owner. Resolving resumes the reminders of its invoices (the planner reads open
 * cases); reopening pauses them again. Each change is claimed with a conditional update on the
 * status it started from, so two clerks resolving at once record one resolution.
 */
import { and, eq } from 'drizzle-orm';
import type { AppContext } from '../../app/context';
import { disputeMessages, disputes, memberships } from '../../db/schema';
import { isUuid, type OrgScope } from '../../db/scope';
import { transitionDispute, type DisputeStatus } from '../../domain/disputes';
import { audit, type Actor } from '../audit';
import { loadCaseFirm } from '../cases/firm';
import { caseTransaction } from '../cases/transaction';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import { DISPUTE_OUTCOMES } from '../policies';
import { ROLE_RANK } from '../users';
import { queueInvoiceNote } from '../writeBack/queue';
import { sendResolution } from './notify';
import { disputeInvoiceIds } from './open';
import { disputeNoteText, outcomeLabel } from './words';

const STATUSES: readonly string[] = ['open', 'waiting_on_customer', 'resolved'];

export async function setDisputeStatus(
  app: AppContext,
  scope: OrgScope,
  disputeId: string,
  input: { status: string; outcome?: string | null },
  ctx: { actor: Actor },
): Promise<typeof disputes.$inferSelect> {
  const cur = await scope.findById(disputes, disputeId);
  if (!cur) throw new NotFoundError('dispute');
  if (!STATUSES.includes(input.status))
    throw new ValidationError('must be open, waiting_on_customer or resolved', 'status');
  const t = transitionDispute(cur.status, input.status as DisputeStatus, input.outcome, DISPUTE_OUTCOMES);
  if (!t.ok) {
    if (input.status === 'resolved' && cur.status !== 'resolved')
      throw new ValidationError(t.message, 'outcome');
    throw new ConflictError(t.message);
  }
  const firm = await loadCaseFirm(app, scope);
  const invoiceIds = await disputeInvoiceIds(scope, cur.id);
  return caseTransaction(app, scope, async (txApp, tx) => {
    const now = app.now();
    const [claimed] = await tx
      .update(
        disputes,
        {
          status: t.status,
          outcome: t.outcome,
          resolvedAt: t.status === 'resolved' ? now : null,
          updatedAt: now,
        },
        eq(disputes.id, cur.id),
        eq(disputes.status, cur.status),
      )
      .returning({ id: disputes.id });
    if (!claimed) throw new ConflictError('the case changed meanwhile; reload it and try again');
    const d = (await tx.findById(disputes, cur.id))!;
    await audit(
      tx,
      ctx.actor,
      t.reopened ? 'dispute.reopened' : `dispute.${t.status}`,
      { type: 'dispute', id: d.id },
      {
        from: cur.status,
        to: t.status,
        outcome: t.outcome,
      },
    );
    const eventKey = String(now.getTime());
    if (t.status === 'resolved' || t.reopened) {
      await tx.insert(disputeMessages, {
        disputeId: d.id,
        author: 'system',
        userId: ctx.actor.type === 'user' ? ctx.actor.id : null,
        body: t.reopened ? 'Case reopened.' : `Resolved: ${outcomeLabel(t.outcome)}.`,
      });
      const note = t.reopened
        ? disputeNoteText(d, { event: 'reopened' })
        : disputeNoteText(d, { event: 'resolved', outcome: t.outcome! });
      for (const invoiceId of invoiceIds)
        await queueInvoiceNote(txApp, tx, {
          invoiceId,
          text: note,
          idempotencyKey: `dispute:${d.id}:${invoiceId}:${t.reopened ? 'reopened' : 'resolved'}:${eventKey}`,
        });
    }
    if (t.status === 'resolved')
      await sendResolution(txApp, tx, firm.org, d, { outcome: t.outcome!, eventKey });
    return d;
  });
}

/** Give a case an owner: a member of the firm with the clerk role or above (null: nobody). */
export async function assignDispute(
  app: AppContext,
  scope: OrgScope,
  disputeId: string,
  userId: string | null,
  ctx: { actor: Actor },
): Promise<typeof disputes.$inferSelect> {
  const cur = await scope.findById(disputes, disputeId);
  if (!cur) throw new NotFoundError('dispute');
  if (userId !== null) {
    const [m] = isUuid(userId)
      ? await scope.db
          .select({ role: memberships.role })
          .from(memberships)
          .where(and(eq(memberships.organizationId, scope.organizationId), eq(memberships.userId, userId)))
      : [];
    if (!m || ROLE_RANK[m.role] < ROLE_RANK.clerk)
      throw new ValidationError('must be a member of the firm with the clerk role or above', 'ownerUserId');
  }
  if (cur.ownerUserId === userId) return cur;
  await scope.update(disputes, { ownerUserId: userId, updatedAt: app.now() }, eq(disputes.id, cur.id));
  await audit(
    scope,
    ctx.actor,
    'dispute.assigned',
    { type: 'dispute', id: cur.id },
    {
      from: cur.ownerUserId,
      to: userId,
    },
  );
  return { ...cur, ownerUserId: userId };
}
