/**
 * Portal: disputes and requests. The customer lists their cases, opens one (a dispute on invoices
 * or a request, with an optional file), reads its thread, replies, and downloads its files. Every
 * read is limited to the session's customer: another customer's case or file is a 404.
 *
 * The forms are multipart (a file may come along); they are parsed before the CSRF check
 * (middleware/multipart.ts), so the token is checked as on every other form.
 */
import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../../app/context';
import { ATTACHMENT_ACCEPT, formatBytes } from '../../../domain/attachments';
import { disputeStatusLabel } from '../../../domain/disputes';
import {
  CATEGORY_LABELS,
  disputableInvoices,
  disputeInbox,
  getAttachment,
  getDisputeThread,
  MESSAGE_MAX,
  openDispute,
  outcomeLabel,
  replyToDispute,
} from '../../../services/disputes';
import { ValidationError } from '../../../services/errors';
import { DISPUTE_CATEGORIES, firmPolicies, REQUEST_CATEGORIES } from '../../../services/policies';
import { uploadedFile } from '../../middleware/multipart';
import { sendAttachment } from '../caseFiles';
import { portalCasesLimiter, withinCaseLimit } from './casesLimiter';
import { portalFormat } from './format';

interface NewValues {
  topic: string;
  invoiceIds: string[];
  message: string;
  replyEmail: string;
}

const asList = (v: unknown): string[] =>
  (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === 'string');
const asText = (v: unknown): string => (typeof v === 'string' ? v : '');

const maxBytes = (req: Request) =>
  firmPolicies({ settings: req.portal!.firm.settings }).disputes.maxAttachmentBytes;

/** The message for a multipart body the parser could not read whole. */
function uploadMessage(req: Request): ValidationError | null {
  if (req.uploadProblem === 'too_large')
    return new ValidationError(
      `the file is larger than the ${formatBytes(maxBytes(req))} allowed`,
      'attachment',
    );
  if (req.uploadProblem === 'bad_form') return new ValidationError('send one file at most', 'attachment');
  return null;
}

const fieldMessage = (e: ValidationError) => (e.field ? e.message.replace(`${e.field}: `, '') : e.message);

const view = {
  fmt: portalFormat,
  statusLabel: disputeStatusLabel,
  categoryLabel: (c: string) => CATEGORY_LABELS[c] ?? c,
  outcomeLabel,
};

async function renderNew(
  req: Request,
  res: Response,
  status: number,
  values: NewValues | null,
  problem: ValidationError | null,
): Promise<void> {
  const p = req.portal!;
  const invoices = await disputableInvoices(p.scope, p.customerId);
  const wanted = asText(req.query.invoice);
  const v = values ?? {
    topic: asText(req.query.kind) === 'request' ? 'request:invoice_copy' : '',
    invoiceIds: invoices.some((i) => i.id === wanted) ? [wanted] : [],
    message: '',
    replyEmail: '',
  };
  res.status(status).render('portal/dispute-new', {
    title: 'Question or dispute',
    invoices,
    values: v,
    error: problem ? fieldMessage(problem) : null,
    field: problem?.field ?? null,
    disputeCategories: DISPUTE_CATEGORIES,
    requestCategories: REQUEST_CATEGORIES,
    accept: ATTACHMENT_ACCEPT,
    maxSize: formatBytes(maxBytes(req)),
    messageMax: MESSAGE_MAX,
    ...view,
  });
}

async function renderThread(
  req: Request,
  res: Response,
  status: number,
  opts: { reply?: string; problem?: ValidationError | null; notice?: string | null } = {},
): Promise<void> {
  const p = req.portal!;
  const thread = await getDisputeThread(p.scope, req.params.id as string, { customerId: p.customerId });
  res.status(status).render('portal/dispute', {
    title: `${thread.dispute.kind === 'request' ? 'Request' : 'Dispute'} ${thread.dispute.reference}`,
    thread,
    reply: opts.reply ?? '',
    error: opts.problem ? fieldMessage(opts.problem) : null,
    field: opts.problem?.field ?? null,
    notice: opts.notice ?? null,
    accept: ATTACHMENT_ACCEPT,
    maxSize: formatBytes(maxBytes(req)),
    messageMax: MESSAGE_MAX,
    ...view,
  });
}

export function portalDisputesRouter(app: AppContext): Router {
  const r = Router();
  const limiter = portalCasesLimiter(app);

  r.get('/disputes', async (req, res, next) => {
    try {
      const p = req.portal!;
      const cases = await disputeInbox(p.scope, { customerId: p.customerId, now: app.now() });
      res.render('portal/disputes', { title: 'Disputes and requests', cases, ...view });
    } catch (err) {
      next(err);
    }
  });

  r.get('/disputes/new', async (req, res, next) => {
    try {
      await renderNew(req, res, 200, null, null);
    } catch (err) {
      next(err);
    }
  });

  r.post('/disputes', async (req, res, next) => {
    const p = req.portal!;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values: NewValues = {
      topic: asText(body.topic),
      invoiceIds: asList(body.invoiceIds),
      message: asText(body.message),
      replyEmail: asText(body.replyEmail).trim(),
    };
    try {
      const upload = uploadMessage(req);
      if (upload) throw upload;
      if (!(await withinCaseLimit(limiter, req, res))) return;
      const [kind, category] = values.topic.split(':');
      if ((kind !== 'dispute' && kind !== 'request') || !category)
        throw new ValidationError('choose what it is about', 'topic');
      const d = await openDispute(
        app,
        p.scope,
        {
          customerId: p.customerId,
          kind,
          category,
          invoiceIds: values.invoiceIds,
          message: values.message,
          replyEmail: values.replyEmail || null,
          contactId: p.contactId,
          attachment: uploadedFile(req),
        },
        { actor: { type: 'customer', id: p.customerId }, source: 'portal' },
      );
      res.redirect(303, `/portal/disputes/${d.id}?opened=1`);
    } catch (err) {
      if (err instanceof ValidationError) return renderNew(req, res, 400, values, err).catch(next);
      next(err);
    }
  });

  r.get('/disputes/:id', async (req, res, next) => {
    try {
      const notice =
        req.query.opened === '1'
          ? 'Thank you. We have received it and will answer by e-mail; you can follow it here.'
          : req.query.replied === '1'
            ? 'Your reply is sent.'
            : null;
      await renderThread(req, res, 200, { notice });
    } catch (err) {
      next(err);
    }
  });

  r.post('/disputes/:id/reply', async (req, res, next) => {
    const p = req.portal!;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const reply = asText(body.body);
    try {
      // a case that is not this customer's is a 404 before anything else is looked at
      await getDisputeThread(p.scope, req.params.id as string, { customerId: p.customerId });
      const upload = uploadMessage(req);
      if (upload) throw upload;
      if (!(await withinCaseLimit(limiter, req, res))) return;
      await replyToDispute(
        app,
        p.scope,
        req.params.id as string,
        { body: reply, attachment: uploadedFile(req) },
        { actor: { type: 'customer', id: p.customerId }, source: 'portal', customerId: p.customerId },
      );
      res.redirect(303, `/portal/disputes/${encodeURIComponent(req.params.id as string)}?replied=1`);
    } catch (err) {
      if (err instanceof ValidationError)
        return renderThread(req, res, 400, { reply, problem: err }).catch(next);
      next(err);
    }
  });

  r.get('/disputes/:id/attachments/:attachmentId', async (req, res, next) => {
    try {
      const p = req.portal!;
      const file = await getAttachment(p.scope, req.params.attachmentId as string, {
        customerId: p.customerId,
        disputeId: req.params.id as string,
      });
      sendAttachment(res, file);
    } catch (err) {
      next(err);
    }
  });

  return r;
}
