/**
 * Statement of account: an opening balance, the period's invoices (debits), payments and credit
 * notes (credits) in date order with a running balance, and the closing balance — one statement
 * per currency, never converted. Pure: the caller reads the records.
 */
import { formatMoney, parseMoney, type Micros } from './money';

export type StatementEntryKind = 'invoice' | 'credit_note' | 'payment';

export interface StatementEntry {
  kind: StatementEntryKind;
  id: string;
  date: string;
  reference: string | null;
  currency: string;
  /** Positive amount as recorded: the invoice or credit-note total, the payment amount. */
  amount: string;
}

export interface StatementLine {
  kind: StatementEntryKind;
  id: string;
  date: string;
  reference: string | null;
  debit: string | null;
  credit: string | null;
  balance: string;
}

export interface CurrencyStatement {
  currency: string;
  opening: string;
  lines: StatementLine[];
  debits: string;
  credits: string;
  closing: string;
}

const KIND_ORDER: Record<StatementEntryKind, number> = { invoice: 0, credit_note: 1, payment: 2 };

/**
 * Build the statements of a period from the opening balances (sum of debits minus credits before
 * the period, per currency) and the period's entries. Same-day entries list invoices first,
 * then credit notes, then payments.
 */
export function buildStatements(
  openingByCurrency: ReadonlyMap<string, string>,
  entries: readonly StatementEntry[],
): CurrencyStatement[] {
  const currencies = new Set<string>([...openingByCurrency.keys(), ...entries.map((e) => e.currency)]);
  const out: CurrencyStatement[] = [];
  for (const currency of [...currencies].sort()) {
    const opening = parseMoney(openingByCurrency.get(currency) ?? '0');
    const own = entries
      .filter((e) => e.currency === currency)
      .sort(
        (a, b) =>
          a.date.localeCompare(b.date) ||
          KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
          (a.reference ?? '').localeCompare(b.reference ?? '', 'en', { numeric: true }) ||
          a.id.localeCompare(b.id),
      );
    let balance: Micros = opening;
    let debits: Micros = 0n;
    let credits: Micros = 0n;
    const lines: StatementLine[] = own.map((e) => {
      const amount = parseMoney(e.amount);
      const isDebit = e.kind === 'invoice';
      if (isDebit) {
        balance += amount;
        debits += amount;
      } else {
        balance -= amount;
        credits += amount;
      }
      return {
        kind: e.kind,
        id: e.id,
        date: e.date,
        reference: e.reference,
        debit: isDebit ? formatMoney(amount, currency) : null,
        credit: isDebit ? null : formatMoney(amount, currency),
        balance: formatMoney(balance, currency),
      };
    });
    out.push({
      currency,
      opening: formatMoney(opening, currency),
      lines,
      debits: formatMoney(debits, currency),
      credits: formatMoney(credits, currency),
      closing: formatMoney(balance, currency),
    });
  }
  return out;
}
