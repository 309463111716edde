import { Router } from 'express';
import type { AppContext } from '../../../app/context';

/** Portal: disputes pages (behind requirePortal; `req.portal` is set). */
export function portalDisputesRouter(_app: AppContext): Router {
  return Router();
}
