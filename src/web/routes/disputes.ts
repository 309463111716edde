/**
 * The clerk's disputes and requests: the inbox (open first, SLA breaches first and marked), one
 * case with its invoices and thread, and the actions on it (reply, assign, status and outcome).
 * Any member reads; the clerk role or above acts. Reply forms may carry a file (multipart,
 * parsed before the CSRF check by middleware/multipart.ts).
 */
import { eq } from 'drizzle-orm';
import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../app/context';
import { memberships, users } from '../../db/schema';
import { ATTACHMENT_ACCEPT, formatBytes } from '../../domain/attachments';
import { disputeStatusLabel } from '../../domain/disputes';
import { loadCaseFirm } from '../../services/cases/firm';
import {
  assignDispute,
  CATEGORY_LABELS,
  disputeInbox,
  getAttachment,
  getDisputeThread,
  MESSAGE_MAX,
  outcomeLabel,
  OUTCOME_LABELS,
  replyToDispute,
  setDisputeStatus,
} from '../../services/disputes';
import { formatDue } from '../../services/disputes/notify';
import { ServiceError, ValidationError } from '../../services/errors';
import { ROLE_RANK } from '../../services/users';
import { flash, requireRole, requireUser } from '../middleware/auth';
import { uploadedFile } from '../middleware/multipart';
import { sendAttachment } from './caseFiles';

const FILTERS = ['unresolved', 'breached', 'open', 'waiting_on_customer', 'resolved', 'all'] as const;

const asText = (v: unknown): string => (typeof v === 'string' ? v : '');
const actorOf = (req: Request) => ({ type: 'user' as const, id: req.user!.id });

async function caseMembers(req: Request): Promise<{ id: string; label: string }[]> {
  const scope = req.org!.scope;
  const rows = await scope.db
    .select({ id: users.id, email: users.email, name: users.name, role: memberships.role })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.organizationId, scope.organizationId));
  return rows
    .filter((r) => ROLE_RANK[r.role] >= ROLE_RANK.clerk)
    .map((r) => ({ id: r.id, label: r.name ? `${r.name} (${r.email})` : r.email }))
    .sort((a, b) => a.label.localeCompare(b.label));
}

export function disputesRouter(app: AppContext): Router {
  const r = Router();

  async function renderCase(
    req: Request,
    res: Response,
    status: number,
    opts: { reply?: string; error?: string | null; form?: 'reply' | 'status' | 'assign' | null } = {},
  ): Promise<void> {
    const scope = req.org!.scope;
    const firm = await loadCaseFirm(app, scope);
    const thread = await getDisputeThread(scope, req.params.id as string, { now: app.now() });
    res.status(status).render('pages/disputes/show', {
      title: `${thread.dispute.reference} · ${thread.dispute.customerName}`,
      thread,
      members: await caseMembers(req),
      outcomes: OUTCOME_LABELS,
      reply: opts.reply ?? '',
      error: opts.error ?? null,
      errorForm: opts.form ?? null,
      due: formatDue(new Date(thread.dispute.firstResponseDueAt), firm.org.timezone),
      accept: ATTACHMENT_ACCEPT,
      maxSize: formatBytes(firm.policies.disputes.maxAttachmentBytes),
      messageMax: MESSAGE_MAX,
      statusLabel: disputeStatusLabel,
      categoryLabel: (c: string) => CATEGORY_LABELS[c] ?? c,
      outcomeLabel,
    });
  }

  /** A refused action shows the case again with the reason (400/409), nothing changed. */
  function refused(
    req: Request,
    res: Response,
    err: unknown,
    form: 'reply' | 'status' | 'assign',
    reply = '',
  ) {
    if (err instanceof ServiceError && err.status !== 404) {
      const message = err.field ? err.message.replace(`${err.field}: `, '') : err.message;
      return renderCase(req, res, err.status, { reply, error: message, form });
    }
    throw err;
  }

  r.get('/disputes', requireUser, async (req, res) => {
    // the dashboard links to `?breached=1`
    const wanted = ['1', 'true'].includes(asText(req.query.breached)) ? 'breached' : asText(req.query.status);
    const filter = (FILTERS as readonly string[]).includes(wanted) ? wanted : 'unresolved';
    const scope = req.org!.scope;
    const firm = await loadCaseFirm(app, scope);
    const cases = await disputeInbox(scope, {
      status: filter === 'breached' ? 'unresolved' : filter,
      breached: filter === 'breached',
      now: app.now(),
    });
    res.render('pages/disputes/index', {
      title: 'Disputes and requests',
      cases,
      filter,
      filters: FILTERS,
      breachedCount: cases.filter((c) => c.breached).length,
      due: (iso: string) => formatDue(new Date(iso), firm.org.timezone),
      statusLabel: disputeStatusLabel,
      categoryLabel: (c: string) => CATEGORY_LABELS[c] ?? c,
      outcomeLabel,
    });
  });

  r.get('/disputes/:id', requireUser, async (req, res) => {
    await renderCase(req, res, 200);
  });

  r.post('/disputes/:id/reply', requireUser, requireRole('clerk'), async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const reply = asText(body.body);
    try {
      if (req.uploadProblem === 'too_large') throw new ValidationError('the file is too large', 'attachment');
      if (req.uploadProblem) throw new ValidationError('send one file at most', 'attachment');
      const out = await replyToDispute(
        app,
        req.org!.scope,
        req.params.id as string,
        { body: reply, attachment: uploadedFile(req), waitOnCustomer: body.waitOnCustomer === '1' },
        { actor: actorOf(req), source: 'clerk' },
      );
      flash(
        req,
        'success',
        out.emailId
          ? 'Reply sent to the customer by e-mail.'
          : 'Reply saved; the case has no e-mail address to send it to.',
      );
      res.redirect(303, `/disputes/${req.params.id as string}`);
    } catch (err) {
      await refused(req, res, err, 'reply', reply);
    }
  });

  r.post('/disputes/:id/status', requireUser, requireRole('clerk'), async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    try {
      const d = await setDisputeStatus(
        app,
        req.org!.scope,
        req.params.id as string,
        { status: asText(body.status), outcome: asText(body.outcome) || null },
        { actor: actorOf(req) },
      );
      flash(req, 'success', `${d.reference} is now ${disputeStatusLabel(d.status)}.`);
      res.redirect(303, `/disputes/${d.id}`);
    } catch (err) {
      await refused(req, res, err, 'status');
    }
  });

  r.post('/disputes/:id/assign', requireUser, requireRole('clerk'), async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    try {
      const owner = asText(body.ownerUserId);
      const d = await assignDispute(app, req.org!.scope, req.params.id as string, owner || null, {
        actor: actorOf(req),
      });
      flash(
        req,
        'success',
        d.ownerUserId ? `${d.reference} is assigned.` : `${d.reference} has no owner now.`,
      );
      res.redirect(303, `/disputes/${d.id}`);
    } catch (err) {
      await refused(req, res, err, 'assign');
    }
  });

  r.get('/disputes/:id/attachments/:attachmentId', requireUser, async (req, res) => {
    const file = await getAttachment(req.org!.scope, req.params.attachmentId as string, {
      disputeId: req.params.id as string,
    });
    sendAttachment(res, file);
  });

  return r;
}
