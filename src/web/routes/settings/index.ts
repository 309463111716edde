import { Router } from 'express';
import type { AppContext } from '../../../app/context';
import { automationRouter } from './automation';
import { brandingRouter } from './branding';
import { policiesRouter } from './policies';
import { sendRulesRouter } from './sendRules';
import { sequencesRouter } from './sequences';

/** The settings pages mounted under /settings (after requireUser): each its own router. */
export function settingsPagesRouter(app: AppContext): Router {
  const r = Router();
  r.use('/sequences', sequencesRouter(app));
  r.use('/branding', brandingRouter(app));
  r.use('/send-rules', sendRulesRouter(app));
  r.use('/automation', automationRouter(app));
  r.use('/policies', policiesRouter(app));
  return r;
}
