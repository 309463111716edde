/**
 * QuickBooks CreditMemo → CanonicalCreditNote. QuickBooks applies credit through payments, so a
 * memo carries no per-invoice amounts: `allocations` stays empty and `remaining` is
 * `RemainingCredit` (or `Balance`).
 */
import type { CanonicalCreditNote } from '../../types';
import {
  EPOCH_DATE,
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
import { deletedRecord, rawCreditMemo } from './schemas';

export function mapCreditMemo(raw: unknown, ctx: MappingContext): Mapped<CanonicalCreditNote> {
  if (isDeletedRaw(raw)) {
    const d = deletedRecord.safeParse(raw);
    if (!d.success) return { ok: false, error: schemaError('creditNotes', raw, d.error) };
    return {
      ok: true,
      value: {
        externalId: d.data.Id,
        number: null,
        customerExternalId: '',
        date: EPOCH_DATE,
        currency: '',
        total: '0',
        remaining: '0',
        status: 'deleted',
        allocations: [],
        updatedAt: utc(d.data.MetaData?.LastUpdatedTime),
      },
    };
  }
  const parsed = rawCreditMemo.safeParse(raw);
  if (!parsed.success) return { ok: false, error: schemaError('creditNotes', raw, parsed.error) };
  const c = parsed.data;
  try {
    const remainingRaw = c.RemainingCredit ?? c.Balance ?? c.TotalAmt;
    const voided = looksVoided(c.TotalAmt, c.PrivateNote);
    return {
      ok: true,
      value: {
        externalId: c.Id,
        number: c.DocNumber ?? null,
        customerExternalId: c.CustomerRef.value,
        date: c.TxnDate,
        currency: c.CurrencyRef?.value ?? ctx.homeCurrency,
        total: money(c.TotalAmt),
        remaining: money(remainingRaw),
        status: voided ? 'voided' : isZeroAmount(remainingRaw) ? 'applied' : 'open',
        allocations: [],
        updatedAt: utc(c.MetaData?.LastUpdatedTime),
      },
    };
  } catch (e) {
    return {
      ok: false,
      error: recordError('creditNotes', raw, `cannot map QuickBooks CreditMemo: ${String(e)}`),
    };
  }
}
