/**
 * Settings → Sequences: the list with the default and the tag mapping, creating a sequence from a
 * built-in, the step editor (a plain form that works without JavaScript) saved as a new version
 * through the sequences service, and the live preview of a step for a real customer.
 * Viewers see everything and change nothing; clerks and above edit.
 */
import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../../app/context';
import { FIRM, GENTLE, STANDARD } from '../../../domain/sequences/builtins';
import { CHANNELS, TONES, type SequenceFileError } from '../../../domain/sequences/format';
import { ServiceError } from '../../../services/errors';
import {
  getSequence,
  importSequences,
  stepTemplateKeys,
  listSequences,
  SequenceFileRejected,
  type StoredSequence,
} from '../../../services/sequences';
import {
  PREVIEW_HEADERS,
  previewCustomers,
  previewDocument,
  previewStep,
} from '../../../services/settings/emailPreview';
import {
  applyRowAction,
  emptyRow,
  fieldNameOf,
  readSequenceForm,
  rowsOf,
  sequenceFromForm,
  stepFromRow,
  type SequenceFormValues,
} from '../../../services/settings/sequenceForm';
import { saveSequenceByTag, sequenceByTag } from '../../../services/settings/sequenceTags';
import { flash, requireRole } from '../../middleware/auth';
import { HttpError } from '../../middleware/errors';
import { actorOf, currentOrg, field, indexedRows } from './common';

const STARTERS = [GENTLE, STANDARD, FIRM];

async function found(req: Request, key: string): Promise<StoredSequence> {
  try {
    return await getSequence(req.org!.scope, key);
  } catch (e) {
    if (e instanceof ServiceError && e.status === 404)
      throw new HttpError(404, 'not_found', 'sequence not found');
    throw e;
  }
}

export function sequencesRouter(app: AppContext): Router {
  const r = Router();

  async function renderList(req: Request, res: Response, status = 200, error: string | null = null) {
    const scope = req.org!.scope;
    const org = await currentOrg(app, req);
    const list = await listSequences(scope);
    const rules = sequenceByTag(org);
    res.status(status).render('pages/settings/sequences', {
      title: 'Sequences',
      sequences: list,
      rules,
      starters: STARTERS.map((s) => ({ key: s.key, name: s.name })),
      error,
    });
  }

  async function renderEditor(
    req: Request,
    res: Response,
    seq: StoredSequence,
    form: SequenceFormValues,
    errors: SequenceFileError[] = [],
    status = 200,
  ) {
    const customers = await previewCustomers(req.org!.scope);
    const badFields = new Set(errors.map((e) => fieldNameOf(e.path)).filter((f): f is string => !!f));
    const rows = form.rows.length ? form.rows : [emptyRow()];
    const previewCustomer = field(req.body, 'previewCustomer') || customers[0]?.id || '';
    const previewIndex = Math.min(Math.max(0, Number(field(req.body, 'previewStep')) || 0), rows.length - 1);
    res.status(status).render('pages/settings/sequence', {
      title: `Sequence: ${seq.name}`,
      sequence: seq,
      form: { ...form, rows },
      errors,
      badFields,
      templates: await stepTemplateKeys(req.org!.scope),
      channels: CHANNELS,
      tones: TONES,
      customers,
      previewCustomer,
      previewIndex,
      previewSrc: previewCustomer
        ? `/settings/sequences/${encodeURIComponent(seq.key)}/preview?customerId=${encodeURIComponent(previewCustomer)}&step=${encodeURIComponent(rows[previewIndex]?.key ?? '')}`
        : null,
    });
  }

  r.get('/', (req, res) => renderList(req, res));

  /** Create a sequence as a copy of a built-in. */
  r.post('/', requireRole('clerk'), async (req, res) => {
    const key = field(req.body, 'key').toLowerCase();
    const name = field(req.body, 'name');
    const starter = STARTERS.find((s) => s.key === field(req.body, 'from'));
    if (!starter) return renderList(req, res, 400, 'Choose gentle, standard or firm to start from.');
    const existing = (await listSequences(req.org!.scope)).some((s) => s.key === key);
    if (existing) return renderList(req, res, 400, `A sequence with the key "${key}" already exists.`);
    try {
      await importSequences(req.org!.scope, { key, name, steps: starter.steps }, actorOf(req));
    } catch (e) {
      if (e instanceof SequenceFileRejected)
        return renderList(
          req,
          res,
          400,
          `Not created: ${e.errors.map((x) => `${x.path}: ${x.message}`).join('; ')}`,
        );
      throw e;
    }
    flash(req, 'success', `Sequence "${name}" created from ${starter.name}. Adjust its steps below.`);
    res.redirect(`/settings/sequences/${encodeURIComponent(key)}`);
  });

  /** The tag → sequence mapping. */
  r.post('/tags', requireRole('clerk'), async (req, res) => {
    const rows = indexedRows(req.body, 'rules').map((x) => ({
      tag: x.tag ?? '',
      sequenceKey: x.sequenceKey ?? '',
    }));
    try {
      await saveSequenceByTag(app.db, req.org!.scope, rows, actorOf(req));
    } catch (e) {
      if (e instanceof ServiceError && e.status < 500) return renderList(req, res, 400, e.message);
      throw e;
    }
    flash(req, 'success', 'Tag mapping saved.');
    res.redirect('/settings/sequences');
  });

  r.get('/:key', async (req, res) => {
    const seq = await found(req, req.params.key as string);
    await renderEditor(req, res, seq, {
      name: seq.name,
      makeDefault: seq.isDefault,
      rows: rowsOf(seq.definition),
    });
  });

  r.post('/:key', requireRole('clerk'), async (req, res) => {
    const seq = await found(req, req.params.key as string);
    const action = field(req.body, 'action') || 'save';
    if (action !== 'save') {
      const form = readSequenceForm(req.body as Record<string, unknown>, true);
      const rows = applyRowAction(form.rows, action);
      if (!rows) throw new HttpError(400, 'bad_request', `unknown action "${action}"`);
      return renderEditor(req, res, seq, { ...form, rows });
    }
    const form = readSequenceForm(req.body as Record<string, unknown>);
    const doc = sequenceFromForm(seq.key, form);
    if (!doc.ok) return renderEditor(req, res, seq, form, doc.errors, 400);
    try {
      const result = await importSequences(req.org!.scope, doc.document, actorOf(req));
      const outcome = result.sequences[0];
      flash(
        req,
        'success',
        outcome?.status === 'unchanged'
          ? 'Nothing changed.'
          : `Saved as version ${outcome?.version}. Steps already sent are never sent again.`,
      );
    } catch (e) {
      if (e instanceof SequenceFileRejected) return renderEditor(req, res, seq, form, e.errors, 400);
      throw e;
    }
    res.redirect(`/settings/sequences/${encodeURIComponent(seq.key)}`);
  });

  /** The saved step rendered for a customer of the firm, as a sandboxed document. */
  r.get('/:key/preview', async (req, res) => {
    const seq = await found(req, req.params.key as string);
    const stepKey = typeof req.query.step === 'string' ? req.query.step : '';
    const step =
      seq.definition.steps.find((s) => s.key === stepKey) ??
      seq.definition.steps.find((s) => s.channel === 'email') ??
      seq.definition.steps[0]!;
    await sendPreview(req, res, typeof req.query.customerId === 'string' ? req.query.customerId : '', step);
  });

  /** The same for the unsaved form (the editor posts itself here into the preview frame). */
  r.post('/:key/preview', requireRole('clerk'), async (req, res) => {
    await found(req, req.params.key as string);
    const form = readSequenceForm(req.body as Record<string, unknown>, true);
    const row = form.rows[Math.max(0, Number(field(req.body, 'previewStep')) || 0)] ?? form.rows[0];
    if (!row) throw new HttpError(400, 'bad_request', 'the sequence has no step to preview');
    await sendPreview(req, res, field(req.body, 'previewCustomer'), stepFromRow(row));
  });

  async function sendPreview(
    req: Request,
    res: Response,
    customerId: string,
    step: ReturnType<typeof stepFromRow>,
  ) {
    const org = await currentOrg(app, req);
    let id = customerId;
    if (!id) id = (await previewCustomers(req.org!.scope, 1))[0]?.id ?? '';
    let html: string;
    if (!id) {
      html = previewDocument(
        { kind: 'problem', message: 'No customer with open invoices yet: sync your books first.' },
        '',
      );
    } else {
      try {
        const out = await previewStep(app, req.org!.scope, org, id, step);
        html = previewDocument(out.preview, out.customerName);
      } catch (e) {
        if (e instanceof ServiceError && e.status === 404)
          throw new HttpError(404, 'not_found', 'customer not found');
        throw e;
      }
    }
    res.set(PREVIEW_HEADERS).type('html').send(html);
  }

  return r;
}
