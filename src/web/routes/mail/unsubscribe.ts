/**
 * `/u/<token>`: one-click unsubscribe (RFC 8058). GET only shows a confirmation page (mail
 * scanners follow links; a GET never changes anything); POST unsubscribes — from the mail client's
 * one-click button or the page's form. The signed token authenticates, so this router is mounted
 * before the session and CSRF middleware: it uses no cookie at all.
 */
import express, { Router, type Response } from 'express';
import type { AppContext } from '../../../app/context';
import { resolveUnsubscribe, unsubscribe, type UnsubscribeSubject } from '../../../services/unsubscribe';
import { portalPageLocals } from '../../middleware/portalAuth';

function page(
  res: Response,
  status: number,
  state: 'invalid' | 'confirm' | 'done',
  subject: UnsubscribeSubject | null,
  action = '',
) {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.status(status).render(
    'portal/unsubscribe',
    portalPageLocals(subject ? subject.firm : null, {
      title: state === 'done' ? 'Unsubscribed' : 'Stop reminder e-mails',
      state,
      address: subject?.address ?? '',
      action,
    }),
  );
}

export function unsubscribeRouter(app: AppContext): Router {
  const r = Router();
  r.get('/u/:token', async (req, res) => {
    const subject = await resolveUnsubscribe(app, req.params.token);
    if (!subject) return page(res, 404, 'invalid', null);
    page(res, 200, subject.unsubscribedAt ? 'done' : 'confirm', subject, `/u/${req.params.token}`);
  });
  r.post('/u/:token', express.urlencoded({ extended: false, limit: '2kb' }), async (req, res) => {
    const from = (req.body as Record<string, unknown> | undefined)?.from;
    const subject = await unsubscribe(app, req.params.token, from === 'page' ? 'page' : 'one-click');
    if (!subject) return page(res, 404, 'invalid', null);
    page(res, 200, 'done', subject);
  });
  return r;
}
