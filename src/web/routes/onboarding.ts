/** Start a customer's onboarding by hand (customer page button; clerk and above). */
import { Router } from 'express';
import type { AppContext } from '../../app/context';
import { ServiceError } from '../../services/errors';
import { startOnboarding } from '../../services/onboarding/lifecycle';
import { flash, requireRole, requireUser } from '../middleware/auth';
import { actorOf } from './settings/common';

export function onboardingRouter(_app: AppContext): Router {
  const r = Router();
  r.post('/customers/:id/onboarding', requireUser, requireRole('clerk'), async (req, res) => {
    const id = String(req.params.id);
    try {
      const started = await startOnboarding(req.org!.scope, id, actorOf(req));
      flash(
        req,
        'success',
        started.status === 'active'
          ? 'Onboarding started on the first open invoice: welcome e-mail, billing details check and introductory call.'
          : 'Onboarding starts when the customer’s first open invoice arrives.',
      );
    } catch (e) {
      if (!(e instanceof ServiceError) || e.status === 404) throw e;
      flash(req, 'error', `Nothing was changed: ${e.message}`);
    }
    res.redirect(303, `/customers/${encodeURIComponent(id)}`);
  });
  return r;
}
