import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../../app/context';
import {
  getDisputeThread,
  listDisputes,
  replyToDispute,
  setDisputeStatus,
  type DisputeView,
} from '../../../services/disputes';
import { listQuery } from './pagination';

const disputeQuery = listQuery.extend({
  status: z
    .enum(['open', 'waiting_on_customer', 'resolved', 'unresolved', 'all'], {
      message: 'status must be open, waiting_on_customer, resolved, unresolved or all',
    })
    .default('all'),
  customerId: z.string().optional(),
  breached: z.enum(['true', 'false'], { message: 'breached must be true or false' }).optional(),
});

const replyBody = z.strictObject({
  body: z.string({ message: 'body is required' }),
  waitOnCustomer: z.boolean().optional(),
});

const statusBody = z.strictObject({
  status: z.string({ message: 'status is required' }),
  outcome: z.string().nullish(),
});

const present = ({ customerName: _c, ownerEmail: _o, ...d }: DisputeView) => d;

/** Disputes and requests: list, one with its thread, reply (by e-mail to the customer), status. */
export function disputesApi(app: AppContext): Router {
  const r = Router();
  r.get('/disputes', async (req, res) => {
    const q = disputeQuery.parse(req.query);
    const out = await listDisputes(req.apiAuth!.scope, {
      ...q,
      breached: q.breached === 'true',
      now: app.now(),
    });
    res.json({ data: out.data.map(present), nextCursor: out.nextCursor });
  });
  r.get('/disputes/:id', async (req, res) => {
    const t = await getDisputeThread(req.apiAuth!.scope, req.params.id as string, { now: app.now() });
    res.json({ ...present(t.dispute), invoices: t.invoices, messages: t.messages });
  });
  r.post('/disputes/:id/replies', async (req, res) => {
    const body = replyBody.parse(req.body ?? {});
    const auth = req.apiAuth!;
    const out = await replyToDispute(app, auth.scope, req.params.id as string, body, {
      actor: { type: 'api_token', id: auth.tokenId },
      source: 'api',
    });
    res.status(201).json({ messageId: out.messageId, status: out.status, emailed: out.emailId !== null });
  });
  r.post('/disputes/:id/status', async (req, res) => {
    const body = statusBody.parse(req.body ?? {});
    const auth = req.apiAuth!;
    const d = await setDisputeStatus(app, auth.scope, req.params.id as string, body, {
      actor: { type: 'api_token', id: auth.tokenId },
    });
    res.json(present((await getDisputeThread(auth.scope, d.id, { now: app.now() })).dispute));
  });
  return r;
}
