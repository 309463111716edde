/**
 * QuickBooks Invoice → CanonicalInvoice.
 * Status: CDC `status: "Deleted"` → deleted; a void (TotalAmt 0, PrivateNote "Voided", Balance 0)
 * → voided; Balance 0 → paid; otherwise open. `Balance` is the balance (never recomputed);
 * multicurrency invoices keep their currency and `HomeBalance`.
 */
import type { CanonicalInvoice } from '../../types';
import { addDays } from '../../shared/generator';
import {
  EPOCH_DATE,
  decimalText,
  isDeletedRaw,
  isZeroAmount,
  looksVoided,
  money,
  recordError,
  schemaError,
  utc,
  type Mapped,
  type MappingContext,
} from './common';
import { deletedRecord, rawInvoice, type RawInvoice } from './schemas';

const MAX_LINES = 20;

export function invoiceStatus(i: Pick<RawInvoice, 'TotalAmt' | 'Balance' | 'PrivateNote'>): {
  status: CanonicalInvoice['status'];
  platformStatus: string;
} {
  if (looksVoided(i.TotalAmt, i.PrivateNote) && isZeroAmount(i.Balance))
    return { status: 'voided', platformStatus: 'Voided' };
  if (isZeroAmount(i.Balance)) return { status: 'paid', platformStatus: 'Paid' };
  return { status: 'open', platformStatus: 'Open' };
}

/** A deleted invoice carries only its id: the other fields are placeholders, not data. */
export function deletedInvoice(externalId: string, updatedAt: string | null): CanonicalInvoice {
  return {
    externalId,
    number: null,
    customerExternalId: '',
    currency: '',
    issueDate: EPOCH_DATE,
    dueDate: EPOCH_DATE,
    total: '0',
    balance: '0',
    homeBalance: null,
    exchangeRate: null,
    status: 'deleted',
    platformStatus: 'Deleted',
    onlinePaymentUrl: null,
    lines: [],
    lineCount: 0,
    syncToken: null,
    updatedAt,
  };
}

export function mapInvoice(raw: unknown, ctx: MappingContext): Mapped<CanonicalInvoice> {
  if (isDeletedRaw(raw)) {
    const d = deletedRecord.safeParse(raw);
    if (!d.success) return { ok: false, error: schemaError('invoices', raw, d.error) };
    return { ok: true, value: deletedInvoice(d.data.Id, utc(d.data.MetaData?.LastUpdatedTime)) };
  }
  const parsed = rawInvoice.safeParse(raw);
  if (!parsed.success) return { ok: false, error: schemaError('invoices', raw, parsed.error) };
  const i = parsed.data;
  try {
    let dueDate = i.DueDate ?? null;
    if (!dueDate) {
      const days = i.SalesTermRef ? (ctx.terms.get(i.SalesTermRef.value)?.dueDays ?? null) : null;
      dueDate = addDays(i.TxnDate, days ?? 0);
    }
    const items = (i.Line ?? []).filter((l) => l.DetailType !== 'SubTotalLineDetail');
    const { status, platformStatus } = invoiceStatus(i);
    return {
      ok: true,
      value: {
        externalId: i.Id,
        number: i.DocNumber ?? null,
        customerExternalId: i.CustomerRef.value,
        currency: i.CurrencyRef?.value ?? ctx.homeCurrency,
        issueDate: i.TxnDate,
        dueDate,
        total: money(i.TotalAmt),
        balance: money(i.Balance),
        homeBalance: i.HomeBalance === undefined || i.HomeBalance === null ? null : money(i.HomeBalance),
        exchangeRate: decimalText(i.ExchangeRate),
        status,
        platformStatus,
        onlinePaymentUrl: i.InvoiceLink ?? null,
        lines: items.slice(0, MAX_LINES).map((l) => ({
          description: l.Description ?? null,
          amount: money(l.Amount ?? 0),
        })),
        lineCount: items.length,
        syncToken: i.SyncToken ?? null,
        updatedAt: utc(i.MetaData?.LastUpdatedTime),
      },
    };
  } catch (e) {
    return { ok: false, error: recordError('invoices', raw, `cannot map QuickBooks Invoice: ${String(e)}`) };
  }
}
