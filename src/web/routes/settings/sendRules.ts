/** Settings → Send rules: hours, quiet hours, gap and weekly cap, country and zone, human touch. Admin+ edits. */
import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../../app/context';
import { ValidationError } from '../../../services/errors';
import {
  readSendRules,
  saveSendRules,
  type SendRulesForm,
  type SendRulesSettings,
} from '../../../services/settings/sendRules';
import { flash, requireRole } from '../../middleware/auth';
import { actorOf, currentOrg, field } from './common';

const FIELDS: (keyof SendRulesForm)[] = [
  'defaultHour',
  'quietHours',
  'quietStart',
  'quietEnd',
  'minGapDays',
  'weeklyCap',
  'country',
  'timezone',
  'humanTouch',
  'humanTouchYears',
];

function formOf(v: SendRulesSettings): SendRulesForm {
  return {
    defaultHour: String(v.sendRules.defaultHour),
    quietHours: v.sendRules.quietHours ? '1' : '',
    quietStart: String(v.sendRules.quietHours?.start ?? 20),
    quietEnd: String(v.sendRules.quietHours?.end ?? 8),
    minGapDays: String(v.sendRules.minGapDays),
    weeklyCap: v.sendRules.weeklyCap === null ? '' : String(v.sendRules.weeklyCap),
    country: v.country,
    timezone: v.timezone,
    humanTouch: v.humanTouch ? '1' : '',
    humanTouchYears: String(v.humanTouch?.minYears ?? 3),
  };
}

export function sendRulesRouter(app: AppContext): Router {
  const r = Router();
  const render = (res: Response, values: SendRulesForm, error: ValidationError | null = null) =>
    res.status(error ? 400 : 200).render('pages/settings/send-rules', {
      title: 'Send rules',
      values,
      error: error ? { message: error.message.replace(/^[^:]+: /, ''), field: error.field } : null,
    });

  r.get('/', async (req: Request, res) => render(res, formOf(readSendRules(await currentOrg(app, req)))));

  r.post('/', requireRole('admin'), async (req, res) => {
    const values = Object.fromEntries(FIELDS.map((f) => [f, field(req.body, f)])) as unknown as SendRulesForm;
    try {
      await saveSendRules(app.db, req.org!.scope, values, actorOf(req));
    } catch (e) {
      if (e instanceof ValidationError) return render(res, values, e);
      throw e;
    }
    flash(req, 'success', 'Send rules saved. The next plan uses them.');
    res.redirect('/settings/send-rules');
  });
  return r;
}
