/**
 * The customer page's actions (clerk and above; CSRF checked globally). Each is a plain form:
 * validated → one service call → back to the page with a message, the change visible on the
 * timeline. A rejected form shows the page again with the reason next to the form and what was
 * typed (400), and nothing changed.
 */
import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { AppContext } from '../../../app/context';
import {
  parseTags,
  pauseCustomer,
  resumeCustomer,
  setCustomerPilot,
  setCustomerSequence,
  setCustomerTags,
} from '../../../services/customers/automation';
import { logCall } from '../../../services/customers/calls';
import { answerDispute, recordDispute, recordPromise } from '../../../services/customers/cases';
import { addNote } from '../../../services/customers/notes';
import { revokeCustomerLinks, sendPortalLink } from '../../../services/customers/portalLinks';
import { requestKeyOf } from '../../../services/customers/requestKey';
import { ServiceError } from '../../../services/errors';
import { flash, requireRole, requireUser } from '../../middleware/auth';
import { actorOf, field, fields, pathId } from './common';
import { renderCustomerPage } from './page';

type Handler = (req: Request, customerId: string) => Promise<string>;

export function customerActionsRouter(app: AppContext): Router {
  const r = Router();
  const clerk: RequestHandler[] = [requireUser, requireRole('clerk')];

  /** POST /customers/:id/<path>: run, then 303 back to the page with the message the handler returns. */
  function action(path: string, form: string, handler: Handler, anchor = 'timeline') {
    r.post(`/customers/:id/${path}`, ...clerk, async (req: Request, res: Response) => {
      const id = pathId(req, 'id', 'customer');
      try {
        const message = await handler(req, id);
        flash(req, 'success', message);
        res.redirect(303, `/customers/${id}#${anchor}`);
      } catch (e) {
        if (e instanceof ServiceError && (e.status === 400 || e.status === 409)) {
          await renderCustomerPage(app, req, res, id, {
            status: e.status,
            formState: { form, message: e.message, values: req.body as Record<string, unknown> },
          });
          return;
        }
        throw e;
      }
    });
  }

  const key = (req: Request) => requestKeyOf(field(req.body, 'requestKey'));

  action('pause', 'pause', async (req, id) => {
    const until = field(req.body, 'until');
    await pauseCustomer(
      req.org!.scope,
      id,
      { until, reason: field(req.body, 'reason') },
      actorOf(req),
      app.now(),
    );
    return `Reminders paused until ${until}.`;
  });

  action('resume', 'pause', async (req, id) =>
    (await resumeCustomer(req.org!.scope, id, actorOf(req)))
      ? 'Reminders resumed.'
      : 'Reminders were not paused.',
  );

  action('sequence', 'sequence', async (req, id) => {
    const key = field(req.body, 'sequenceKey');
    const changed = await setCustomerSequence(req.org!.scope, id, key === 'auto' ? null : key, actorOf(req));
    if (!changed) return 'The sequence was already this one.';
    return key && key !== 'auto' ? `Sequence set to ${key}.` : 'The sequence is automatic again.';
  });

  action('tags', 'tags', async (req, id) => {
    const tags = parseTags(field(req.body, 'tags'));
    const changed = await setCustomerTags(req.org!.scope, id, tags, actorOf(req));
    return changed ? 'Tags saved.' : 'The tags were already these.';
  });

  action('pilot', 'pilot', async (req, id) => {
    const on = field(req.body, 'pilot') === 'on';
    const changed = await setCustomerPilot(req.org!.scope, id, on, actorOf(req));
    if (!changed) return on ? 'Already in the pilot.' : 'Already out of the pilot.';
    return on ? 'Added to the pilot.' : 'Taken out of the pilot.';
  });

  action('notes', 'note', async (req, id) => {
    const out = await addNote(
      app,
      req.org!.scope,
      id,
      { text: field(req.body, 'text'), invoiceIds: fields(req.body, 'invoiceIds'), requestKey: key(req) },
      actorOf(req),
    );
    if (out.duplicate) return 'This note was already saved.';
    return out.invoiceIds.length
      ? `Note saved; it is being written to the books on ${out.invoiceIds.length} invoice(s).`
      : 'Note saved (no open invoice to write it to in the books).';
  });

  action('calls', 'call', async (req, id) => {
    const outcome = field(req.body, 'outcome');
    const out = await logCall(
      app,
      req.org!.scope,
      id,
      {
        outcome,
        note: field(req.body, 'note') || undefined,
        contactId: field(req.body, 'contactId') || undefined,
        invoiceIds: fields(req.body, 'invoiceIds'),
        promise: { amount: field(req.body, 'promiseAmount'), promisedDate: field(req.body, 'promiseDate') },
        dispute: { category: field(req.body, 'disputeCategory'), message: field(req.body, 'disputeMessage') },
        requestKey: key(req),
      },
      actorOf(req),
    );
    if (out.duplicate) return 'This call was already logged.';
    if (out.promiseId) return 'Call logged with the promise to pay.';
    if (out.disputeId) return 'Call logged and the dispute opened.';
    return 'Call logged.';
  });

  action('promises', 'promise', async (req, id) => {
    const out = await recordPromise(
      app,
      req.org!.scope,
      id,
      {
        invoiceIds: fields(req.body, 'invoiceIds'),
        amount: field(req.body, 'amount'),
        promisedDate: field(req.body, 'promisedDate'),
        note: field(req.body, 'note') || undefined,
        contactId: field(req.body, 'contactId') || undefined,
      },
      key(req),
      actorOf(req),
    );
    return out.duplicate
      ? 'This promise was already recorded.'
      : 'Promise to pay recorded; reminders wait on it.';
  });

  action('disputes', 'dispute', async (req, id) => {
    const kind = field(req.body, 'kind') === 'request' ? 'request' : 'dispute';
    const out = await recordDispute(
      app,
      req.org!.scope,
      id,
      {
        kind,
        category: field(req.body, 'category'),
        invoiceIds: fields(req.body, 'invoiceIds'),
        message: field(req.body, 'message'),
        contactId: field(req.body, 'contactId') || undefined,
      },
      key(req),
      actorOf(req),
    );
    return out.duplicate ? `This ${kind} was already opened.` : `The ${kind} is open.`;
  });

  action('disputes/:disputeId/reply', 'reply', async (req, id) => {
    const disputeId = pathId(req, 'disputeId', 'dispute');
    const out = await answerDispute(
      app,
      req.org!.scope,
      id,
      disputeId,
      { body: field(req.body, 'body'), waitOnCustomer: field(req.body, 'waitOnCustomer') === 'on' },
      key(req),
      actorOf(req),
    );
    return out.duplicate ? 'This answer was already sent.' : 'Answer sent.';
  });

  action('portal-link', 'portal', async (req, id) => {
    const out = await sendPortalLink(
      app,
      req.org!.scope,
      id,
      { contactId: field(req.body, 'contactId'), requestKey: key(req) },
      actorOf(req),
    );
    return out.duplicate ? 'This link was already sent.' : 'A new portal link is on its way to the contact.';
  });

  action('portal-links/revoke', 'portal', async (req, id) => {
    const n = await revokeCustomerLinks(app, req.org!.scope, id, actorOf(req));
    return n ? `${n} portal link(s) revoked.` : 'There was no live portal link.';
  });

  return r;
}
