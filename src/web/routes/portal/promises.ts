import { Router } from 'express';
import type { AppContext } from '../../../app/context';

/** Portal: promises pages (behind requirePortal; `req.portal` is set). */
export function portalPromisesRouter(_app: AppContext): Router {
  return Router();
}
