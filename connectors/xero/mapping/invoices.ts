import { normalizeMoney } from '../../../src/domain/money';
import type { CanonicalInvoice, InvoiceStatus } from '../../types';
import { xeroDate, xeroTimestamp } from './dates';
import { divideMoney, rateText } from './decimal';
import type { Mapped } from './result';
import type { XeroInvoice } from './schemas';

export const INVOICE_STATUS: Readonly<Record<string, InvoiceStatus>> = {
  DRAFT: 'draft',
  SUBMITTED: 'draft', // awaiting approval: not yet receivable
  AUTHORISED: 'open',
  PAID: 'paid',
  VOIDED: 'voided',
  DELETED: 'deleted',
};

const MAX_LINES = 20;

/** Xero's CurrencyRate is units of the invoice currency per unit of the base currency. */
function homeBalance(inv: XeroInvoice, balance: string, rate: string | null): string | null {
  if (rate === null) return null;
  return rate === '1' ? balance : divideMoney(inv.AmountDue, rate);
}

/** Sales invoice (ACCREC) → canonical invoice. Bills (ACCPAY) are skipped, not errors. */
export function mapInvoice(inv: XeroInvoice): Mapped<CanonicalInvoice> {
  if (inv.Type !== 'ACCREC') return { kind: 'skipped', reason: `type ${inv.Type}` };
  const status = INVOICE_STATUS[inv.Status];
  if (!status)
    return {
      kind: 'error',
      error: {
        entity: 'invoices',
        externalId: inv.InvoiceID,
        reason: `unknown invoice status ${inv.Status}`,
      },
    };
  const issueDate = xeroDate(inv.Date);
  const balance = normalizeMoney(inv.AmountDue);
  const rate = inv.CurrencyRate == null ? null : rateText(inv.CurrencyRate);
  const lines = inv.LineItems ?? [];
  return {
    kind: 'record',
    value: {
      externalId: inv.InvoiceID,
      number: inv.InvoiceNumber ? inv.InvoiceNumber : null,
      customerExternalId: inv.Contact.ContactID,
      currency: inv.CurrencyCode,
      issueDate,
      dueDate: inv.DueDate ? xeroDate(inv.DueDate) : issueDate,
      total: normalizeMoney(inv.Total),
      balance,
      homeBalance: homeBalance(inv, balance, rate),
      exchangeRate: rate,
      status,
      platformStatus: inv.Status,
      onlinePaymentUrl: inv.OnlineInvoiceUrl ?? null,
      lines: lines.slice(0, MAX_LINES).map((l) => ({
        description: l.Description ? l.Description : null,
        amount: normalizeMoney(l.LineAmount ?? 0),
      })),
      lineCount: lines.length,
      syncToken: null,
      updatedAt: inv.UpdatedDateUTC ? xeroTimestamp(inv.UpdatedDateUTC) : null,
    },
  };
}
