/** Settings → Audit log (admin and above): the firm's entries, newest first, by action, paged. */
import { Router } from 'express';
import { auditActions, listAuditEntries } from '../../../services/auditLogView';
import { ValidationError } from '../../../services/errors';
import { requireRole } from '../../middleware/auth';
import { HttpError } from '../../middleware/errors';

export function auditRouter(): Router {
  const r = Router();
  r.get('/', requireRole('admin'), async (req, res) => {
    const action = typeof req.query.action === 'string' ? req.query.action.slice(0, 100) : '';
    const before = typeof req.query.before === 'string' ? req.query.before.slice(0, 200) : '';
    try {
      const page = await listAuditEntries(req.org!.scope, {
        ...(action ? { action } : {}),
        ...(before ? { before } : {}),
      });
      res.render('pages/settings/audit', {
        title: 'Audit log',
        entries: page.entries,
        next: page.next,
        action,
        actions: await auditActions(req.org!.scope),
        older: Boolean(before),
      });
    } catch (e) {
      if (e instanceof ValidationError)
        throw new HttpError(400, 'invalid_request', e.message.replace(/^[a-z]+: /, ''));
      throw e;
    }
  });
  return r;
}
