import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../../app/context';
import { createPromise, getPromise, listPromises, type PromiseView } from '../../../services/promises';
import { listQuery } from './pagination';

const promiseQuery = listQuery.extend({
  status: z
    .enum(['active', 'kept', 'partially_kept', 'broken', 'cancelled', 'all'], {
      message: 'status must be active, kept, partially_kept, broken, cancelled or all',
    })
    .default('all'),
  customerId: z.string().optional(),
});

const promiseBody = z.strictObject({
  customerId: z.string({ message: 'customerId is required' }),
  invoiceIds: z.array(z.string(), { message: 'invoiceIds must be a list of invoice ids' }),
  amount: z.string({ message: 'amount must be a decimal string such as "500.00"' }),
  promisedDate: z.string({ message: 'promisedDate must be a date YYYY-MM-DD' }),
  note: z.string().max(1000).nullish(),
  contactId: z.string().nullish(),
});

/** The API's view: the customer's name stays out (GET /customers has it). */
const present = ({ customerName: _name, ...p }: PromiseView) => p;

/** Promises to pay: list, one, and record (source `api`). */
export function promisesApi(app: AppContext): Router {
  const r = Router();
  r.get('/promises', async (req, res) => {
    const q = promiseQuery.parse(req.query);
    const out = await listPromises(req.apiAuth!.scope, q);
    res.json({ data: out.data.map(present), nextCursor: out.nextCursor });
  });
  r.get('/promises/:id', async (req, res) => {
    res.json(present(await getPromise(req.apiAuth!.scope, req.params.id as string)));
  });
  r.post('/promises', async (req, res) => {
    const body = promiseBody.parse(req.body ?? {});
    const auth = req.apiAuth!;
    const created = await createPromise(app, auth.scope, body, {
      actor: { type: 'api_token', id: auth.tokenId },
      source: 'api',
    });
    res.status(201).json(present(await getPromise(auth.scope, created.id)));
  });
  return r;
}
