import { Router } from 'express';
import type { AppContext } from '../../../app/context';

/** Portal: pay pages (behind requirePortal; `req.portal` is set). */
export function portalPayRouter(_app: AppContext): Router {
  return Router();
}
