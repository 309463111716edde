import { Router } from 'express';
import type { AppContext } from '../../../app/context';
import { sequencesRouter } from './sequences';

/** The settings pages mounted under /settings (after requireUser): each its own router. */
export function settingsPagesRouter(app: AppContext): Router {
  const r = Router();
  r.use('/sequences', sequencesRouter(app));
  return r;
}
