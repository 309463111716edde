/**
 * GDPR data requests for one contact (admin and above): the JSON export of everything Duely holds
 * about them, and erasure with a confirmation step. Both audited by the service.
 */
import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../../app/context';
import { findContact, findCustomer } from '../../../services/customers/detail';
import { eraseContact } from '../../../services/dataRequests/eraseContact';
import { exportContact } from '../../../services/dataRequests/exportContact';
import { flash, requireRole, requireUser } from '../../middleware/auth';
import { actorOf, field, pathId } from './common';

const CONFIRM_WORD = 'ERASE';

export function dataRequestsRouter(app: AppContext): Router {
  const r = Router();
  const admin = [requireUser, requireRole('admin')];

  r.get('/customers/:id/contacts/:contactId/export', ...admin, async (req, res) => {
    const id = pathId(req, 'id', 'customer');
    const contactId = pathId(req, 'contactId', 'contact');
    const doc = await exportContact(req.org!.scope, id, contactId, actorOf(req), app.now());
    res.setHeader('Cache-Control', 'no-store');
    res.attachment(`contact-${contactId}-export.json`);
    res.type('application/json; charset=utf-8');
    res.send(JSON.stringify(doc, null, 2));
  });

  async function renderConfirm(req: Request, res: Response, status = 200, error: string | null = null) {
    const scope = req.org!.scope;
    const customer = await findCustomer(scope, pathId(req, 'id', 'customer'));
    const contact = await findContact(scope, customer.id, pathId(req, 'contactId', 'contact'));
    res.status(status).render('pages/customers/erase', {
      title: 'Erase a contact',
      customer,
      contact,
      confirmWord: CONFIRM_WORD,
      error,
    });
  }

  r.get('/customers/:id/contacts/:contactId/erase', ...admin, async (req, res) => {
    await renderConfirm(req, res);
  });

  r.post('/customers/:id/contacts/:contactId/erase', ...admin, async (req, res) => {
    const id = pathId(req, 'id', 'customer');
    const contactId = pathId(req, 'contactId', 'contact');
    if (field(req.body, 'confirm') !== CONFIRM_WORD) {
      await renderConfirm(req, res, 400, `type ${CONFIRM_WORD} to confirm: nothing was erased`);
      return;
    }
    const out = await eraseContact(app, req.org!.scope, id, contactId, actorOf(req));
    flash(
      req,
      out.alreadyErased ? 'info' : 'success',
      out.alreadyErased
        ? 'This contact was already erased.'
        : "The contact's personal data is erased; invoices and payments are kept. Later syncs keep it erased; notes already written to your books stay there until you edit them.",
    );
    res.redirect(303, `/customers/${id}#contacts`);
  });
  return r;
}
