import { Router } from 'express';
import type { AppContext } from '../../../app/context';
import { automationRouter } from './automation';
import { brandingRouter } from './branding';
import { paymentsSettingsRouter } from './payments';
import { policiesRouter } from './policies';
import { sendRulesRouter } from './sendRules';
import { sequencesRouter } from './sequences';
import { templatesRouter } from './templates';

/** The settings pages mounted under /settings (after requireUser): each its own router. */
export function settingsPagesRouter(app: AppContext): Router {
  const r = Router();
  r.use('/sequences', sequencesRouter(app));
  r.use('/templates', templatesRouter(app));
  r.use('/branding', brandingRouter(app));
  r.use('/send-rules', sendRulesRouter(app));
  r.use('/automation', automationRouter(app));
  r.use('/policies', policiesRouter(app));
  r.use('/payments', paymentsSettingsRouter(app));
  return r;
}
