/**
 * Settings → Templates: the built-in e-mail templates and the firm's versions of them; edit the
 * subject and body (a problem is shown with its body line, nothing saved), reset to the built-in,
 * preview for a real customer (saved or unsaved) in a sandboxed frame. Clerks and above edit.
 */
import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../../app/context';
import { TEMPLATE_VARIABLES } from '../../../email';
import { ServiceError } from '../../../services/errors';
import { PREVIEW_HEADERS, previewCustomers } from '../../../services/settings/emailPreview';
import { previewTemplate } from '../../../services/settings/templatePreview';
import {
  getTemplate,
  listTemplates,
  resetTemplate,
  saveTemplate,
  TemplateInvalidError,
  type TemplateIssue,
  type TemplateView,
} from '../../../services/templates';
import { flash, requireRole } from '../../middleware/auth';
import { HttpError } from '../../middleware/errors';
import { actorOf, currentOrg, field } from './common';

async function found(req: Request, key: string): Promise<TemplateView> {
  try {
    return await getTemplate(req.org!.scope, key);
  } catch (e) {
    if (e instanceof ServiceError && e.status === 404)
      throw new HttpError(404, 'not_found', 'template not found');
    throw e;
  }
}

/** The body with its lines numbered, for showing where a problem is. */
function numbered(body: string): { no: number; text: string }[] {
  return body.split('\n').map((text, i) => ({ no: i + 1, text }));
}

export function templatesRouter(app: AppContext): Router {
  const r = Router();

  r.get('/', async (req, res) => {
    res.render('pages/settings/templates', {
      title: 'Templates',
      templates: await listTemplates(req.org!.scope),
    });
  });

  async function renderEditor(
    req: Request,
    res: Response,
    template: TemplateView,
    values: { subject: string; body: string },
    issues: TemplateIssue[] = [],
  ) {
    const customers = await previewCustomers(req.org!.scope);
    const previewCustomer = field(req.body, 'previewCustomer') || customers[0]?.id || '';
    res.status(issues.length ? 400 : 200).render('pages/settings/template', {
      title: `Template: ${template.name}`,
      template,
      values,
      issues,
      badLines: new Set(issues.map((i) => i.line).filter((l): l is number => l !== null)),
      lines: issues.length ? numbered(values.body) : [],
      variables: Object.entries(TEMPLATE_VARIABLES),
      customers,
      previewCustomer,
    });
  }

  r.get('/:key', async (req, res) => {
    const t = await found(req, req.params.key as string);
    await renderEditor(req, res, t, { subject: t.subject, body: t.body });
  });

  r.post('/:key', requireRole('clerk'), async (req, res) => {
    const t = await found(req, req.params.key as string);
    const values = {
      subject: field(req.body, 'subject'),
      body: String((req.body as Record<string, unknown>).body ?? ''),
    };
    try {
      const { template, status } = await saveTemplate(app, req.org!.scope, t.key, values, actorOf(req));
      flash(
        req,
        'success',
        status === 'unchanged' ? 'Nothing changed.' : `Saved as version ${template.version}.`,
      );
    } catch (e) {
      if (e instanceof TemplateInvalidError) return renderEditor(req, res, t, values, e.issues);
      throw e;
    }
    res.redirect(`/settings/templates/${encodeURIComponent(t.key)}`);
  });

  r.post('/:key/reset', requireRole('clerk'), async (req, res) => {
    const t = await found(req, req.params.key as string);
    await resetTemplate(req.org!.scope, t.key, actorOf(req));
    flash(req, 'success', 'Back to the built-in template.');
    res.redirect(`/settings/templates/${encodeURIComponent(t.key)}`);
  });

  r.get('/:key/preview', async (req, res) => {
    const t = await found(req, req.params.key as string);
    const org = await currentOrg(app, req);
    const customerId = typeof req.query.customerId === 'string' ? req.query.customerId : null;
    res
      .set(PREVIEW_HEADERS)
      .type('html')
      .send(await preview(req, org, t.key, customerId));
  });

  r.post('/:key/preview', requireRole('clerk'), async (req, res) => {
    const t = await found(req, req.params.key as string);
    const org = await currentOrg(app, req);
    const unsaved = {
      subject: field(req.body, 'subject'),
      body: String((req.body as Record<string, unknown>).body ?? ''),
    };
    res
      .set(PREVIEW_HEADERS)
      .type('html')
      .send(await preview(req, org, t.key, field(req.body, 'previewCustomer') || null, unsaved));
  });

  async function preview(
    req: Request,
    org: Awaited<ReturnType<typeof currentOrg>>,
    key: string,
    customerId: string | null,
    unsaved?: { subject: string; body: string },
  ) {
    try {
      return await previewTemplate(app, req.org!.scope, org, key, customerId, unsaved);
    } catch (e) {
      if (e instanceof ServiceError && e.status === 404)
        throw new HttpError(404, 'not_found', 'customer not found');
      throw e;
    }
  }

  return r;
}
