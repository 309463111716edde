import { Router } from 'express';
import type { AppContext } from '../../../app/context';

/** Portal: invoices pages (behind requirePortal; `req.portal` is set). */
export function portalInvoicesRouter(_app: AppContext): Router {
  return Router();
}
