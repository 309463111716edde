/**
 * Settings → Automation: off / preview / live, the pilot (on or off, pilot customers found by
 * search and ticked, pilot tags). Going live first shows what the next run would send and asks to
 * confirm. Admin+ changes it.
 */
import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../../app/context';
import { ValidationError } from '../../../services/errors';
import type { Organization } from '../../../services/organizations';
import {
  forecastLive,
  parseTags,
  readPilot,
  saveAutomation,
  validateAutomation,
  type AutomationInput,
} from '../../../services/settings/automation';
import { pilotCustomers, searchCustomers, type PilotCandidate } from '../../../services/settings/pilot';
import { flash, requireRole } from '../../middleware/auth';
import { actorOf, currentOrg, field, fields } from './common';

/** The posted form as the service takes it. */
function inputOf(body: unknown): Record<string, unknown> {
  return {
    mode: field(body, 'mode'),
    pilotActive: field(body, 'pilotActive') === '1',
    pilotTags: parseTags(field(body, 'pilotTags')),
    shownCustomerIds: fields(body, 'shown'),
    pilotCustomerIds: fields(body, 'pilotCustomer'),
  };
}

/**
 * The one go-live confirmation: what the next run would send with these pilot settings, and a
 * form that posts them back here with confirm=yes. Every form that can switch a firm to live
 * (this page, the firm settings form) shows it first; `note` says what was already saved.
 */
export async function confirmGoingLive(
  app: AppContext,
  res: Response,
  org: Organization,
  v: AutomationInput,
  note: string | null = null,
): Promise<void> {
  const chosen = new Set(v.pilotCustomerIds);
  const forecast = await forecastLive(app, org, {
    pilotActive: v.pilotActive,
    pilotTags: v.pilotTags,
    pilotFlags: new Map(v.shownCustomerIds.map((id) => [id, chosen.has(id)])),
  });
  res.render('pages/settings/automation-confirm', {
    title: 'Go live?',
    input: v,
    forecast,
    note,
    action: '/settings/automation',
  });
}

export function automationRouter(app: AppContext): Router {
  const r = Router();

  async function render(req: Request, res: Response, error: ValidationError | null = null) {
    const org = await currentOrg(app, req);
    const q = typeof req.query.q === 'string' ? req.query.q : '';
    const pilot = readPilot(org);
    const current = await pilotCustomers(req.org!.scope);
    const found = q ? await searchCustomers(req.org!.scope, q) : [];
    const seen = new Set(current.map((c) => c.id));
    const shown: PilotCandidate[] = [...current, ...found.filter((c) => !seen.has(c.id))];
    res.status(error ? 400 : 200).render('pages/settings/automation', {
      title: 'Automation',
      mode: org.automation,
      heldReason: org.automationHeldReason,
      pilot,
      q,
      shown,
      searched: Boolean(q),
      error: error ? error.message.replace(/^[^:]+: /, '') : null,
    });
  }

  r.get('/', (req, res) => render(req, res));

  r.post('/', requireRole('admin'), async (req, res) => {
    const raw = inputOf(req.body);
    let v: AutomationInput;
    try {
      v = validateAutomation(raw);
    } catch (e) {
      if (e instanceof ValidationError) return render(req, res, e);
      throw e;
    }
    const org = await currentOrg(app, req);
    if (v.mode === 'live' && org.automation !== 'live' && field(req.body, 'confirm') !== 'yes') {
      return confirmGoingLive(app, res, org, v);
    }
    const { from, to } = await saveAutomation(app, req.org!.scope, v, actorOf(req));
    flash(
      req,
      'success',
      from === to
        ? 'Automation settings saved.'
        : to === 'live'
          ? `Automation is live${v.pilotActive ? ' for the pilot customers' : ''}.`
          : `Automation is now ${to}.`,
    );
    res.redirect('/settings/automation');
  });
  return r;
}
