import { normalizeMoney, parseMoney } from '../../../src/domain/money';
import type { CanonicalCreditNote, CanonicalPayment } from '../../types';
import { xeroDate, xeroTimestamp } from './dates';
import type { Mapped } from './result';
import type { XeroCreditNote, XeroOverpayment, XeroPayment, XeroPrepayment } from './schemas';

const ts = (v: string | null | undefined) => (v ? xeroTimestamp(v) : null);

/** Payment against a sales invoice (ACCRECPAYMENT). Bill payments and refunds are skipped. */
export function mapPayment(p: XeroPayment): Mapped<CanonicalPayment> {
  const type = p.PaymentType ?? (p.Invoice?.Type === 'ACCREC' ? 'ACCRECPAYMENT' : null);
  if (type !== 'ACCRECPAYMENT') return { kind: 'skipped', reason: `payment type ${type ?? 'unknown'}` };
  if (!p.Invoice)
    return {
      kind: 'error',
      error: { entity: 'payments', externalId: p.PaymentID, reason: 'payment without Invoice' },
    };
  if (!p.Invoice.CurrencyCode)
    return {
      kind: 'error',
      error: { entity: 'payments', externalId: p.PaymentID, reason: 'payment invoice without CurrencyCode' },
    };
  const amount = normalizeMoney(p.Amount);
  return {
    kind: 'record',
    value: {
      externalId: p.PaymentID,
      customerExternalId: p.Invoice.Contact?.ContactID ?? null,
      date: xeroDate(p.Date),
      amount,
      currency: p.Invoice.CurrencyCode,
      method: null,
      reference: p.Reference ? p.Reference : null,
      kind: 'payment',
      status: p.Status === 'DELETED' ? 'deleted' : 'active',
      allocations: [{ invoiceExternalId: p.Invoice.InvoiceID, amount }],
      updatedAt: ts(p.UpdatedDateUTC),
    },
  };
}

function mapPrepaymentLike(
  r: XeroOverpayment | XeroPrepayment,
  id: string,
  kind: 'overpayment' | 'prepayment',
): Mapped<CanonicalPayment> {
  const expected = kind === 'overpayment' ? 'RECEIVE-OVERPAYMENT' : 'RECEIVE-PREPAYMENT';
  if (r.Type !== expected) return { kind: 'skipped', reason: `type ${r.Type}` };
  return {
    kind: 'record',
    value: {
      externalId: id,
      customerExternalId: r.Contact.ContactID,
      date: xeroDate(r.Date),
      amount: normalizeMoney(r.Total),
      currency: r.CurrencyCode,
      method: null,
      reference: r.Reference ? r.Reference : null,
      kind,
      status: r.Status === 'VOIDED' ? 'voided' : r.Status === 'DELETED' ? 'deleted' : 'active',
      allocations: (r.Allocations ?? []).map((a) => ({
        invoiceExternalId: a.Invoice.InvoiceID,
        amount: normalizeMoney(a.Amount),
      })),
      updatedAt: ts(r.UpdatedDateUTC),
    },
  };
}

export const mapOverpayment = (r: XeroOverpayment) => mapPrepaymentLike(r, r.OverpaymentID, 'overpayment');
export const mapPrepayment = (r: XeroPrepayment) => mapPrepaymentLike(r, r.PrepaymentID, 'prepayment');

/** Customer credit note (ACCRECCREDIT) → canonical; supplier credits (ACCPAYCREDIT) skipped. */
export function mapCreditNote(cn: XeroCreditNote): Mapped<CanonicalCreditNote> {
  if (cn.Type !== 'ACCRECCREDIT') return { kind: 'skipped', reason: `type ${cn.Type}` };
  const remaining = normalizeMoney(cn.RemainingCredit ?? 0);
  let status: CanonicalCreditNote['status'];
  switch (cn.Status) {
    case 'DRAFT':
    case 'SUBMITTED':
      status = 'draft';
      break;
    case 'AUTHORISED':
      status = parseMoney(remaining) > 0n ? 'open' : 'applied';
      break;
    case 'PAID':
      status = 'applied';
      break;
    case 'VOIDED':
      status = 'voided';
      break;
    case 'DELETED':
      status = 'deleted';
      break;
    default:
      return {
        kind: 'error',
        error: {
          entity: 'creditNotes',
          externalId: cn.CreditNoteID,
          reason: `unknown credit note status ${cn.Status}`,
        },
      };
  }
  return {
    kind: 'record',
    value: {
      externalId: cn.CreditNoteID,
      number: cn.CreditNoteNumber ? cn.CreditNoteNumber : null,
      customerExternalId: cn.Contact.ContactID,
      date: xeroDate(cn.Date),
      currency: cn.CurrencyCode,
      total: normalizeMoney(cn.Total),
      remaining,
      status,
      allocations: (cn.Allocations ?? []).map((a) => ({
        invoiceExternalId: a.Invoice.InvoiceID,
        amount: normalizeMoney(a.Amount),
      })),
      updatedAt: ts(cn.UpdatedDateUTC),
    },
  };
}
