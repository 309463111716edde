/**
 * The install and onboarding wizard (/welcome): connect the books → first sync with live progress →
 * how the firm collects today (mapped to a starting sequence) → branding and sender → pilot
 * customers → the first two weeks of messages → go live. A checklist shows every step with its
 * target date and who does it; the firm can leave and is brought back to the first unfinished step.
 */
import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../app/context';
import { SYNC_CONNECTION_JOB } from '../../../jobs/definitions/syncConnection';
import { connections } from '../../db/schema';
import { isUuid } from '../../db/scope';
import { CHANNELS_USED, FIRMNESS, WHO_CHASES } from '../../domain/onboarding/questionnaire';
import {
  resumeStep,
  stepBySlug,
  STEP_INFO,
  type OnboardingStep,
  type StepInfo,
} from '../../domain/onboarding/steps';
import { newOAuthState, redirectUri } from '../../services/connections/oauthFlow';
import { ConflictError, ValidationError } from '../../services/errors';
import { BRANDING_FIELDS, saveBranding } from '../../services/settings/branding';
import { forecastLive, readPilot } from '../../services/settings/automation';
import { pilotCustomers, searchCustomers, suggestPilotCustomers } from '../../services/settings/pilot';
import { createSyncRun } from '../../services/sync/runSync';
import { choosePilot, goLive, submitQuestionnaire } from '../../services/wizard/actions';
import {
  assertCanComplete,
  completeStep,
  loadWizard,
  readOnboarding,
  onboardingUnfinished,
  type WizardView,
} from '../../services/wizard/state';
import { twoWeekPreview } from '../../services/wizard/twoWeeks';
import { findOrganization } from '../../services/organizations';
import { flash, requireRole, requireUser } from '../middleware/auth';
import { HttpError } from '../middleware/errors';
import { returnToWizardAfterConnect } from '../wizardReturn';
import { actorOf, field, fields } from './settings/common';

const slugOf = (k: OnboardingStep) => STEP_INFO[k].slug;

export function wizardRouter(app: AppContext): Router {
  const r = Router();

  /** A firm that left the wizard unfinished is brought back to it once per session. */
  r.get('/', async (req, res, next) => {
    if (!req.org || req.session.wizardResumed) return next();
    const org = await findOrganization(app.db, req.org.id);
    if (!onboardingUnfinished(org)) return next();
    req.session.wizardResumed = true;
    res.redirect('/welcome');
  });

  r.use('/welcome', requireUser);

  r.get('/welcome', async (req, res) => {
    req.session.wizardResumed = true;
    const view = await loadWizard(
      app,
      req.org!.scope,
      req.org!.role === 'owner' || req.org!.role === 'admin',
    );
    if (!view) return res.render('pages/wizard/not-started', { title: 'Setup', wizard: null, step: null });
    if (view.current) {
      // keep the messages for the step page (e.g. "Connected …" after the OAuth callback)
      req.session.flash = res.locals.flash as typeof req.session.flash;
      return res.redirect(`/welcome/${slugOf(view.current)}`);
    }
    res.render('pages/wizard/done', { title: 'Setup complete', wizard: view, step: null });
  });

  async function renderStep(
    req: Request,
    res: Response,
    step: StepInfo,
    error: { message: string; field?: string } | null = null,
    values: Record<string, unknown> = {},
  ) {
    const view = await loadWizard(app, req.org!.scope, false);
    if (!view) return res.redirect('/welcome');
    const data = await stepData(req, view, step.key);
    res.status(error ? 400 : 200).render('pages/wizard/step', {
      title: `Setup: ${step.title}`,
      wizard: view,
      step,
      error,
      values,
      ...data,
    });
  }

  async function stepData(
    req: Request,
    view: WizardView,
    step: OnboardingStep,
  ): Promise<Record<string, unknown>> {
    const scope = req.org!.scope;
    switch (step) {
      case 'connect':
      case 'firstSync':
        return {
          platforms: app.connectors.list().map((c) => ({ platform: c.platform, name: c.displayName })),
        };
      case 'questionnaire':
        return {
          answers: view.state.answers ?? {},
          whoChases: WHO_CHASES,
          channels: CHANNELS_USED,
          firmness: FIRMNESS,
        };
      case 'branding':
        return { branding: view.org.branding };
      case 'pilot': {
        const q = typeof req.query.q === 'string' ? req.query.q : '';
        const current = await pilotCustomers(scope);
        const suggested = current.length ? [] : await suggestPilotCustomers(scope, 5);
        const found = q ? await searchCustomers(scope, q) : [];
        const seen = new Set<string>();
        const shown = [...current, ...suggested, ...found].filter((c) => !seen.has(c.id) && seen.add(c.id));
        const preselected = new Set([...current, ...suggested].map((c) => c.id));
        return { q, shown, preselected };
      }
      case 'preview':
        return { preview: await twoWeekPreview(app, scope, view.org) };
      case 'goLive': {
        const pilot = readPilot(view.org);
        return {
          forecast: await forecastLive(app, view.org, { pilotActive: true, pilotTags: pilot.tags }),
          pilotCount: (await pilotCustomers(scope)).length,
        };
      }
    }
  }

  r.get('/welcome/:slug', async (req, res) => {
    const step = stepBySlug(req.params.slug as string);
    if (!step) throw new HttpError(404, 'not_found', 'no such setup step');
    await renderStep(req, res, step);
  });

  /** Run a step's action; a bad input re-renders the step with the message, a locked step goes back. */
  async function act(req: Request, res: Response, step: StepInfo, fn: () => Promise<string | void>) {
    try {
      const message = await fn();
      if (message) flash(req, 'success', message);
    } catch (e) {
      if (e instanceof ValidationError)
        return renderStep(
          req,
          res,
          step,
          { message: e.message.replace(/^[^:]+: /, ''), field: e.field },
          req.body,
        );
      if (e instanceof ConflictError) {
        flash(req, 'error', `Not yet: ${e.message}.`);
        return res.redirect('/welcome');
      }
      throw e;
    }
    // straight to the next step (a detour through /welcome would use up the flash message)
    const state = readOnboarding(await findOrganization(app.db, req.org!.id));
    const next = state ? resumeStep(state) : null;
    res.redirect(next ? `/welcome/${slugOf(next)}` : '/welcome');
  }

  r.post('/welcome/connect/:platform', requireRole('admin'), (req, res) => {
    const platform = req.params.platform as string;
    const connector = app.connectors.get(platform);
    const state = newOAuthState(platform, 'connect', req.org!.id);
    req.session.oauthState = state;
    returnToWizardAfterConnect(req);
    req.session.save(() =>
      res.redirect(
        connector.oauth.authorizationUrl({ state: state.state, redirectUri: redirectUri(app, platform) }),
      ),
    );
  });

  r.post('/welcome/first-sync', requireRole('admin'), async (req, res) => {
    const id = field(req.body, 'connectionId');
    const scope = req.org!.scope;
    const conn = isUuid(id) ? await scope.findById(connections, id) : undefined;
    if (!conn) throw new HttpError(404, 'not_found', 'connection not found');
    if (conn.status !== 'connected') {
      flash(req, 'error', 'Reconnect this company before syncing it.');
      return res.redirect('/welcome/first-sync');
    }
    const syncRunId = await createSyncRun(scope, conn.id, 'full', 'ui');
    await app.queue.enqueue(
      SYNC_CONNECTION_JOB,
      { organizationId: scope.organizationId, connectionId: conn.id, mode: 'full', trigger: 'ui', syncRunId },
      { jobId: `sync-run-${syncRunId}` },
    );
    flash(req, 'info', 'Sync started. This page shows its progress.');
    res.redirect('/welcome/first-sync');
  });

  r.post('/welcome/questionnaire', requireRole('admin'), (req, res) =>
    act(req, res, STEP_INFO.questionnaire, async () => {
      const terms = field(req.body, 'termsDays');
      const { sequence } = await submitQuestionnaire(
        app,
        req.org!.scope,
        {
          termsDays: /^-?\d{1,4}$/.test(terms) ? Number(terms) : terms === '' ? undefined : NaN,
          whoChases: field(req.body, 'whoChases') || undefined,
          channels: fields(req.body, 'channels'),
          firmness: field(req.body, 'firmness') || undefined,
        },
        actorOf(req),
      );
      return `Your starting sequence is ${sequence}; it is now the default. You can change it any time under Settings → Sequences.`;
    }),
  );

  r.post('/welcome/branding', requireRole('admin'), (req, res) =>
    act(req, res, STEP_INFO.branding, async () => {
      const values = Object.fromEntries(BRANDING_FIELDS.map((f) => [f, field(req.body, f)]));
      await assertCanComplete(app, req.org!.scope, 'branding');
      await saveBranding(app.db, req.org!.scope, values, actorOf(req));
      await completeStep(app, req.org!.scope, 'branding', req.user!.id);
      return 'Branding saved.';
    }),
  );

  r.post('/welcome/pilot', requireRole('admin'), (req, res) =>
    act(req, res, STEP_INFO.pilot, async () => {
      const { added } = await choosePilot(
        app,
        req.org!.scope,
        fields(req.body, 'shown'),
        fields(req.body, 'pilotCustomer'),
        actorOf(req),
      );
      return `Pilot on${added.length ? ` with ${added.length} new pilot customer${added.length === 1 ? '' : 's'}` : ''}.`;
    }),
  );

  r.post('/welcome/preview', requireRole('clerk'), (req, res) =>
    act(req, res, STEP_INFO.preview, async () => {
      await completeStep(app, req.org!.scope, 'preview', req.user!.id);
    }),
  );

  r.post('/welcome/go-live', requireRole('admin'), (req, res) =>
    act(req, res, STEP_INFO.goLive, async () => {
      if (field(req.body, 'confirm') !== 'yes')
        throw new ValidationError('tick the box to confirm that reminders may be sent', 'confirm');
      await goLive(app, req.org!.scope, actorOf(req));
      return 'You are live: reminders go to your pilot customers from the next run.';
    }),
  );

  return r;
}
