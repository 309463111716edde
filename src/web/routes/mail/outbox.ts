/**
 * `/settings/outbox` (clerk and above): the firm's e-mails with their delivery status; one e-mail
 * with its headers, text part and HTML part. The HTML is served by its own URL as a sandboxed
 * document (CSP `sandbox`, no scripts, nothing of ours reachable) for an `<iframe>`, with the
 * tracking taken out so a clerk reading it never counts as the customer opening it.
 */
import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../../app/context';
import type { EmailStatus } from '../../../db/schema';
import { withoutTracking } from '../../../mail/tracking';
import { getOutboxEmail, listOutbox, OUTBOX_STATUSES } from '../../../services/delivery/outbox';
import { resendEmail } from '../../../services/delivery/stale';
import { trackingOf, updateTracking } from '../../../services/delivery/trackingSettings';
import { ServiceError } from '../../../services/errors';
import { findOrganization } from '../../../services/organizations';
import { flash, requireRole, requireUser } from '../../middleware/auth';

const listQuery = z.object({
  status: z
    .enum(OUTBOX_STATUSES as [EmailStatus, ...EmailStatus[]])
    .optional()
    .catch(undefined),
  before: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}T[\d:.]+Z~[0-9a-f-]{36}$/)
    .optional()
    .catch(undefined),
});

export const EMAIL_FRAME_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; frame-ancestors 'self'",
  'X-Frame-Options': 'SAMEORIGIN',
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
};

const actorOf = (req: { user?: { id: string } }) => ({ type: 'user' as const, id: req.user?.id ?? null });

export function outboxRouter(app: AppContext): Router {
  const r = Router();
  r.use(requireUser, requireRole('clerk'));

  r.get('/', async (req, res) => {
    const q = listQuery.parse(req.query);
    const [at, id] = q.before ? q.before.split('~') : [];
    const page = await listOutbox(req.org!.scope, {
      status: q.status,
      before: at && id ? { createdAt: new Date(at), id } : undefined,
    });
    const last = page.entries.at(-1);
    const org = await findOrganization(app.db, req.org!.id);
    res.render('pages/settings/outbox', {
      title: 'Outbox',
      entries: page.entries,
      status: q.status ?? '',
      statuses: OUTBOX_STATUSES,
      olderHref:
        page.more && last
          ? `/settings/outbox?${new URLSearchParams({ ...(q.status ? { status: q.status } : {}), before: `${last.createdAt.toISOString()}~${last.id}` })}`
          : null,
      smtp: app.mail.kind === 'smtp',
      tracking: trackingOf(org),
    });
  });

  r.post('/tracking', requireRole('admin'), async (req, res, next) => {
    try {
      const b = req.body as Record<string, unknown>;
      await updateTracking(
        req.org!.scope,
        { opens: b.opens === 'on', clicks: b.clicks === 'on' },
        actorOf(req),
      );
      flash(req, 'success', 'Tracking settings saved.');
      res.redirect(303, '/settings/outbox');
    } catch (e) {
      next(e);
    }
  });

  r.get('/:id', async (req, res) => {
    const email = await getOutboxEmail(req.org!.scope, req.params.id as string);
    res.render('pages/settings/outbox-email', { title: `E-mail: ${email.subject}`, email });
  });

  r.get('/:id/html', async (req, res) => {
    const email = await getOutboxEmail(req.org!.scope, req.params.id as string);
    const html = email.html
      ? withoutTracking(email.html, app.config.BASE_URL)
      : '<!doctype html><p>This e-mail has no HTML part.</p>';
    res.set(EMAIL_FRAME_HEADERS).type('html').send(html);
  });

  r.post('/:id/resend', async (req, res, next) => {
    try {
      await resendEmail(app, req.org!.scope, req.params.id as string, actorOf(req));
      flash(req, 'success', 'The e-mail is queued to be sent again.');
    } catch (e) {
      if (!(e instanceof ServiceError) || e.status >= 500 || e.status === 404) return next(e);
      flash(req, 'error', e.message);
    }
    res.redirect(303, `/settings/outbox/${req.params.id as string}`);
  });
  return r;
}
