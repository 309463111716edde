/** Settings → Branding and sender, with a sample e-mail previewed in a sandboxed frame. Admin+ edits. */
import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../../app/context';
import type { Branding } from '../../../db/schema';
import { ServiceError, ValidationError } from '../../../services/errors';
import { BRANDING_FIELDS, parseBranding, saveBranding } from '../../../services/settings/branding';
import { PREVIEW_HEADERS, previewBranding } from '../../../services/settings/emailPreview';
import { flash, requireRole } from '../../middleware/auth';
import { actorOf, currentOrg, field } from './common';

function formValues(body: unknown): Record<string, string> {
  return Object.fromEntries(BRANDING_FIELDS.map((f) => [f, field(body, f)]));
}

export function brandingRouter(app: AppContext): Router {
  const r = Router();

  async function render(
    req: Request,
    res: Response,
    values: Record<string, string>,
    error: { message: string; field?: string } | null = null,
  ) {
    res.status(error ? 400 : 200).render('pages/settings/branding', { title: 'Branding', values, error });
  }

  r.get('/', async (req, res) => {
    const org = await currentOrg(app, req);
    const b = org.branding as Record<string, string | null | undefined>;
    await render(req, res, Object.fromEntries(BRANDING_FIELDS.map((f) => [f, b[f] ?? ''])));
  });

  r.post('/', requireRole('admin'), async (req, res) => {
    const values = formValues(req.body);
    try {
      await saveBranding(app.db, req.org!.scope, values, actorOf(req));
    } catch (e) {
      if (e instanceof ValidationError)
        return render(req, res, values, { message: e.message.replace(/^[^:]+: /, ''), field: e.field });
      throw e;
    }
    flash(req, 'success', 'Branding saved. New e-mails use it.');
    res.redirect('/settings/branding');
  });

  r.get('/preview', async (req, res) => {
    const org = await currentOrg(app, req);
    res
      .set(PREVIEW_HEADERS)
      .type('html')
      .send(await previewBranding(app, req.org!.scope, org, org.branding));
  });

  /** The unsaved form values (the form posts itself into the preview frame). */
  r.post('/preview', requireRole('admin'), async (req, res) => {
    const org = await currentOrg(app, req);
    let branding: Branding;
    try {
      branding = parseBranding(formValues(req.body));
    } catch (e) {
      if (!(e instanceof ServiceError)) throw e;
      return res
        .set(PREVIEW_HEADERS)
        .type('html')
        .send(
          `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Preview</title></head><body><p>${escape(e.message.replace(/^[^:]+: /, ''))}</p></body></html>`,
        );
    }
    res
      .set(PREVIEW_HEADERS)
      .type('html')
      .send(await previewBranding(app, req.org!.scope, org, branding));
  });

  return r;
}

const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
