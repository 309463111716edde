/** QuickBooks Payment → CanonicalPayment; allocations from `Line[].LinkedTxn` to invoices. */
import type { CanonicalAllocation, CanonicalPayment } from '../../types';
import {
  EPOCH_DATE,
  isDeletedRaw,
  looksVoided,
  money,
  recordError,
  schemaError,
  utc,
  type Mapped,
  type MappingContext,
} from './common';
import { deletedRecord, rawPayment } from './schemas';

export function mapPayment(raw: unknown, ctx: MappingContext): Mapped<CanonicalPayment> {
  if (isDeletedRaw(raw)) {
    const d = deletedRecord.safeParse(raw);
    if (!d.success) return { ok: false, error: schemaError('payments', raw, d.error) };
    return {
      ok: true,
      value: {
        externalId: d.data.Id,
        customerExternalId: null,
        date: EPOCH_DATE,
        amount: '0',
        currency: '',
        method: null,
        reference: null,
        kind: 'payment',
        status: 'deleted',
        allocations: [],
        updatedAt: utc(d.data.MetaData?.LastUpdatedTime),
      },
    };
  }
  const parsed = rawPayment.safeParse(raw);
  if (!parsed.success) return { ok: false, error: schemaError('payments', raw, parsed.error) };
  const p = parsed.data;
  try {
    const allocations: CanonicalAllocation[] = [];
    for (const line of p.Line ?? []) {
      for (const link of line.LinkedTxn ?? []) {
        if (link.TxnType !== 'Invoice') continue;
        allocations.push({ invoiceExternalId: link.TxnId, amount: money(line.Amount ?? 0) });
      }
    }
    return {
      ok: true,
      value: {
        externalId: p.Id,
        customerExternalId: p.CustomerRef?.value ?? null,
        date: p.TxnDate,
        amount: money(p.TotalAmt),
        currency: p.CurrencyRef?.value ?? ctx.homeCurrency,
        method: p.PaymentMethodRef?.name ?? p.PaymentMethodRef?.value ?? null,
        reference: p.PaymentRefNum ?? null,
        kind: 'payment',
        status: looksVoided(p.TotalAmt, p.PrivateNote) ? 'voided' : 'active',
        allocations,
        updatedAt: utc(p.MetaData?.LastUpdatedTime),
      },
    };
  } catch (e) {
    return { ok: false, error: recordError('payments', raw, `cannot map QuickBooks Payment: ${String(e)}`) };
  }
}
