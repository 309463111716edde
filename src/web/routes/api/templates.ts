import { Router } from 'express';
import type { AppContext } from '../../../app/context';
import {
  getTemplate,
  listTemplates,
  resetTemplate,
  saveTemplate,
  TemplateInvalidError,
  type TemplateView,
} from '../../../services/templates';
import { HttpError } from '../../middleware/errors';

const present = (t: TemplateView) => ({
  key: t.key,
  name: t.name,
  subject: t.subject,
  body: t.body,
  source: t.source,
  version: t.version,
  hasBuiltin: t.hasBuiltin,
  updatedAt: t.updatedAt,
});

/**
 * The firm's e-mail templates (built-ins with the firm's overrides). An API token acts for the
 * whole firm, like a clerk or above: it may read, change and reset templates.
 */
export function templatesApi(app: AppContext): Router {
  const r = Router();
  r.get('/templates', async (req, res) => {
    res.json({ data: (await listTemplates(req.apiAuth!.scope)).map(present), nextCursor: null });
  });
  r.get('/templates/:key', async (req, res) => {
    res.json(present(await getTemplate(req.apiAuth!.scope, req.params.key as string)));
  });
  r.put('/templates/:key', async (req, res) => {
    const auth = req.apiAuth!;
    const body: unknown = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new HttpError(400, 'invalid_request', 'send {"subject": …, "body": …} as a JSON object');
    try {
      const out = await saveTemplate(app, auth.scope, req.params.key as string, body as never, {
        type: 'api_token',
        id: auth.tokenId,
      });
      res.status(out.status === 'created' ? 201 : 200).json(present(out.template));
    } catch (e) {
      if (e instanceof TemplateInvalidError)
        return res.status(400).json({
          error: { code: 'invalid_template', message: e.message, problems: e.issues },
        });
      throw e;
    }
  });
  r.delete('/templates/:key', async (req, res) => {
    const auth = req.apiAuth!;
    const after = await resetTemplate(auth.scope, req.params.key as string, {
      type: 'api_token',
      id: auth.tokenId,
    });
    if (after) res.json(present(after));
    else res.status(204).end();
  });
  return r;
}
