/**
 * Portal: promise to pay (`/portal/promise`). The customer picks open invoices, an amount (their
 * sum by default) and a date up to the firm's maximum. Bad input shows the form again with the
 * message and what was typed (400), nothing saved; a good one shows the confirmation.
 */
import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../../app/context';
import { addDays } from '../../../domain/calendar';
import { formatMoney, parseMoney } from '../../../domain/money';
import { ValidationError } from '../../../services/errors';
import { firmPolicies } from '../../../services/policies';
import { createPromise, getPromise, promisableInvoices, type OpenInvoice } from '../../../services/promises';
import { portalCasesLimiter, withinCaseLimit } from './casesLimiter';
import { portalFormat } from './format';

interface FormValues {
  invoiceIds: string[];
  amount: string;
  promisedDate: string;
  note: string;
}

const asList = (v: unknown): string[] =>
  (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === 'string');
const asText = (v: unknown): string => (typeof v === 'string' ? v : '');

/** The sum of the chosen invoices' balances in the first chosen currency. */
function defaultAmount(invoices: OpenInvoice[], ids: string[]): string {
  const chosen = invoices.filter((i) => ids.includes(i.id));
  const currency = chosen[0]?.currency;
  if (!currency) return '';
  const sum = chosen.filter((i) => i.currency === currency).reduce((s, i) => s + parseMoney(i.balance), 0n);
  return formatMoney(sum, currency);
}

async function renderForm(
  req: Request,
  res: Response,
  status: number,
  values: FormValues | null,
  problem: { message: string; field: string | null } | null,
): Promise<void> {
  const p = req.portal!;
  const invoices = await promisableInvoices(p.scope, p.customerId);
  const maxDays = firmPolicies({ settings: p.firm.settings }).promises.maxDays;
  let v = values;
  if (!v) {
    const wanted = asText(req.query.invoice);
    const first = invoices[0];
    const ids = invoices.some((i) => i.id === wanted)
      ? [wanted]
      : invoices.filter((i) => i.currency === first?.currency).map((i) => i.id);
    v = { invoiceIds: ids, amount: defaultAmount(invoices, ids), promisedDate: '', note: '' };
  }
  res.status(status).render('portal/promise', {
    title: 'Promise to pay',
    invoices,
    values: v,
    error: problem?.message ?? null,
    field: problem?.field ?? null,
    minDate: p.today,
    maxDate: addDays(p.today, maxDays),
    maxDays,
    fmt: portalFormat,
  });
}

export function portalPromisesRouter(app: AppContext): Router {
  const r = Router();
  const limiter = portalCasesLimiter(app);

  r.get('/promise', async (req, res, next) => {
    try {
      await renderForm(req, res, 200, null, null);
    } catch (err) {
      next(err);
    }
  });

  r.post('/promise', async (req, res, next) => {
    const p = req.portal!;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values: FormValues = {
      invoiceIds: asList(body.invoiceIds),
      amount: asText(body.amount).trim(),
      promisedDate: asText(body.promisedDate).trim(),
      note: asText(body.note),
    };
    try {
      if (!(await withinCaseLimit(limiter, req, res))) return;
      const created = await createPromise(
        app,
        p.scope,
        {
          customerId: p.customerId,
          invoiceIds: values.invoiceIds,
          amount: values.amount,
          promisedDate: values.promisedDate,
          note: values.note,
          contactId: p.contactId,
        },
        { actor: { type: 'customer', id: p.customerId }, source: 'portal' },
      );
      const promise = await getPromise(p.scope, created.id, { customerId: p.customerId });
      const invoices = (await promisableInvoices(p.scope, p.customerId)).filter((i) =>
        promise.invoiceIds.includes(i.id),
      );
      res.render('portal/promise-done', { title: 'Thank you', promise, invoices, fmt: portalFormat });
    } catch (err) {
      if (err instanceof ValidationError) {
        const message = err.field ? err.message.replace(`${err.field}: `, '') : err.message;
        return renderForm(req, res, 400, values, { message, field: err.field ?? null }).catch(next);
      }
      next(err);
    }
  });

  return r;
}
