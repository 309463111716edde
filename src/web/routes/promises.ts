/**
 * The clerk's promises to pay: the latest promises with their status and each customer's kept
 * rate, the firm's kept rate, and "record a promise" for a customer (a call, an e-mail): pick the
 * customer, then the invoices, amount and date. Any member reads; the clerk role or above records.
 */
import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../app/context';
import { customers as customerRows } from '../../db/schema';
import { isUuid } from '../../db/scope';
import { addDays } from '../../domain/calendar';
import { loadCaseFirm } from '../../services/cases/firm';
import { ValidationError } from '../../services/errors';
import {
  createPromise,
  customersWithOpenInvoices,
  keptRatesByCustomer,
  promisableInvoices,
  promiseKeptRate,
  PROMISE_STATUSES,
  recentPromises,
} from '../../services/promises';
import { flash, requireRole, requireUser } from '../middleware/auth';
import { HttpError } from '../middleware/errors';

const asText = (v: unknown): string => (typeof v === 'string' ? v : '');
const asList = (v: unknown): string[] =>
  (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === 'string');

const STATUS_WORDS: Record<string, string> = {
  active: 'active',
  kept: 'kept',
  partially_kept: 'partly kept',
  broken: 'broken',
  cancelled: 'replaced or cancelled',
};

export function promisesRouter(app: AppContext): Router {
  const r = Router();

  async function renderNew(
    req: Request,
    res: Response,
    status: number,
    customerId: string,
    values: {
      invoiceIds: string[];
      amount: string;
      promisedDate: string;
      note: string;
      source: string;
    } | null,
    problem: ValidationError | null,
  ): Promise<void> {
    const scope = req.org!.scope;
    const firm = await loadCaseFirm(app, scope);
    const customers = await customersWithOpenInvoices(scope);
    const customer = customers.find((c) => c.id === customerId);
    const invoices = customer ? await promisableInvoices(scope, customer.id) : [];
    res.status(status).render('pages/promises/new', {
      title: 'Record a promise to pay',
      customers,
      customer: customer ?? null,
      invoices,
      values: values ?? { invoiceIds: [], amount: '', promisedDate: '', note: '', source: 'call' },
      error: problem
        ? problem.field
          ? problem.message.replace(`${problem.field}: `, '')
          : problem.message
        : null,
      field: problem?.field ?? null,
      minDate: firm.today,
      maxDate: addDays(firm.today, firm.policies.promises.maxDays),
    });
  }

  r.get('/promises', requireUser, async (req, res) => {
    const scope = req.org!.scope;
    const wanted = asText(req.query.status);
    const status = (PROMISE_STATUSES as readonly string[]).includes(wanted) ? wanted : '';
    const [list, overall, byCustomer, customers] = await Promise.all([
      recentPromises(scope, { status: status || undefined, limit: 200 }),
      promiseKeptRate(scope),
      keptRatesByCustomer(scope),
      customersWithOpenInvoices(scope),
    ]);
    res.render('pages/promises/index', {
      title: 'Promises to pay',
      list,
      overall,
      byCustomer,
      customers,
      status,
      statuses: PROMISE_STATUSES,
      statusWords: STATUS_WORDS,
    });
  });

  r.get('/promises/new', requireUser, requireRole('clerk'), async (req, res) => {
    const customerId = asText(req.query.customerId);
    // a customer named in the link must be one of the firm's (another firm's is not found)
    if (customerId && !(isUuid(customerId) && (await req.org!.scope.findById(customerRows, customerId))))
      throw new HttpError(404, 'not_found', 'customer not found');
    await renderNew(req, res, 200, customerId, null, null);
  });

  r.post('/promises', requireUser, requireRole('clerk'), async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const customerId = asText(body.customerId);
    const values = {
      invoiceIds: asList(body.invoiceIds),
      amount: asText(body.amount).trim(),
      promisedDate: asText(body.promisedDate).trim(),
      note: asText(body.note),
      source: asText(body.source) === 'clerk' ? 'clerk' : 'call',
    };
    try {
      const p = await createPromise(
        app,
        req.org!.scope,
        { customerId, ...values },
        { actor: { type: 'user', id: req.user!.id }, source: values.source as 'call' | 'clerk' },
      );
      flash(req, 'success', `Promise recorded: ${p.currency} ${values.amount} by ${p.promisedDate}.`);
      res.redirect(303, '/promises');
    } catch (err) {
      if (err instanceof ValidationError) return renderNew(req, res, 400, customerId, values, err);
      throw err;
    }
  });

  return r;
}
