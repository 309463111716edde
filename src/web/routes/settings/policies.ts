/**
 * Settings → Policies: promises to pay (grace, longest promise, follow-up of a broken one),
 * disputes (first-response SLA, business hours, attachment size) and the portal link lifetime,
 * saved through `updatePolicies`. Admin+ edits.
 */
import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../../app/context';
import { ValidationError } from '../../../services/errors';
import { firmPolicies, updatePolicies, type Policies } from '../../../services/policies';
import { flash, requireRole } from '../../middleware/auth';
import { actorOf, currentOrg, field } from './common';

const MB = 1024 * 1024;

const LABELS: Record<string, [string, string]> = {
  'promises.graceDays': ['Grace days after a promised date', 'graceDays'],
  'promises.maxDays': ['Longest promise (days ahead)', 'maxDays'],
  'promises.brokenFollowUp': ['Follow-up of a broken promise', 'brokenFollowUp'],
  'disputes.firstResponseHours': ['First response within (business hours)', 'firstResponseHours'],
  'disputes.businessHours': ['Business hours', 'businessEnd'],
  'disputes.businessHours.start': ['Business hours start', 'businessStart'],
  'disputes.businessHours.end': ['Business hours end', 'businessEnd'],
  'disputes.maxAttachmentBytes': ['Largest attachment', 'maxAttachmentMb'],
  'portal.linkTtlDays': ['Portal link lifetime (days)', 'linkTtlDays'],
};

function formOf(p: Policies): Record<string, string> {
  return {
    graceDays: String(p.promises.graceDays),
    maxDays: String(p.promises.maxDays),
    brokenFollowUp: p.promises.brokenFollowUp,
    firstResponseHours: String(p.disputes.firstResponseHours),
    businessStart: String(p.disputes.businessHours.start),
    businessEnd: String(p.disputes.businessHours.end),
    maxAttachmentMb: String(Math.round((p.disputes.maxAttachmentBytes / MB) * 10) / 10),
    linkTtlDays: String(p.portal.linkTtlDays),
    allowPreferenceUpdates: p.portal.allowPreferenceUpdates ? '1' : '',
  };
}

function whole(values: Record<string, string>, name: string, label: string): number {
  const v = values[name] ?? '';
  if (!/^\d{1,6}$/.test(v)) throw new ValidationError(`${label} must be a whole number`, name);
  return Number(v);
}

function policiesOf(values: Record<string, string>): Partial<Policies> {
  const mb = values.maxAttachmentMb ?? '';
  if (!/^\d{1,3}(\.\d{1,2})?$/.test(mb))
    throw new ValidationError('Largest attachment must be a number of megabytes', 'maxAttachmentMb');
  return {
    promises: {
      graceDays: whole(values, 'graceDays', 'Grace days'),
      maxDays: whole(values, 'maxDays', 'Longest promise'),
      brokenFollowUp: values.brokenFollowUp as 'call' | 'email',
    },
    disputes: {
      firstResponseHours: whole(values, 'firstResponseHours', 'First response'),
      businessHours: {
        start: whole(values, 'businessStart', 'Business hours start'),
        end: whole(values, 'businessEnd', 'Business hours end'),
      },
      maxAttachmentBytes: Math.round(Number(mb) * MB),
    },
    portal: {
      linkTtlDays: whole(values, 'linkTtlDays', 'Portal link lifetime'),
      allowPreferenceUpdates: values.allowPreferenceUpdates === '1',
    },
  };
}

export function policiesRouter(app: AppContext): Router {
  const r = Router();
  const render = (
    res: Response,
    values: Record<string, string>,
    error: { message: string; field?: string } | null = null,
  ) => res.status(error ? 400 : 200).render('pages/settings/policies', { title: 'Policies', values, error });

  r.get('/', async (req: Request, res) => render(res, formOf(firmPolicies(await currentOrg(app, req)))));

  r.post('/', requireRole('admin'), async (req, res) => {
    const values = Object.fromEntries(
      [
        'graceDays',
        'maxDays',
        'brokenFollowUp',
        'firstResponseHours',
        'businessStart',
        'businessEnd',
        'maxAttachmentMb',
        'linkTtlDays',
        'allowPreferenceUpdates',
      ].map((f) => [f, field(req.body, f)]),
    );
    try {
      await updatePolicies(app.db, req.org!.id, policiesOf(values), actorOf(req));
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      const known = e.field ? LABELS[e.field] : undefined;
      const reason = e.message.replace(/^[^:]+: /, '');
      return render(
        res,
        values,
        known ? { message: `${known[0]}: ${reason}`, field: known[1] } : { message: reason, field: e.field },
      );
    }
    flash(req, 'success', 'Policies saved.');
    res.redirect('/settings/policies');
  });
  return r;
}
