/**
 * The short notes a promise leaves on each of its invoices in the books (QuickBooks / Xero), e.g.
 * "Duely: promise to pay USD 500.00 by 2026-12-05 (portal)."
 */
import { formatMoney, parseMoney } from '../../domain/money';

export const SOURCE_WORDS: Record<string, string> = {
  portal: 'portal',
  call: 'phone call',
  clerk: 'recorded by the firm',
  api: 'API',
};

export type PromiseEvent = 'made' | 'kept' | 'partially_kept' | 'broken';

const money = (amount: string, currency: string) =>
  `${currency} ${formatMoney(parseMoney(amount), currency)}`;

export function promiseNoteText(
  event: PromiseEvent,
  p: { amount: string; currency: string; promisedDate: string; source?: string; amountPaid?: string },
): string {
  const promised = money(p.amount, p.currency);
  switch (event) {
    case 'made':
      return `Duely: promise to pay ${promised} by ${p.promisedDate} (${SOURCE_WORDS[p.source ?? ''] ?? p.source}).`;
    case 'kept':
      return `Duely: promise of ${promised} by ${p.promisedDate} kept.`;
    case 'partially_kept':
      return `Duely: promise of ${promised} by ${p.promisedDate} partly kept (${money(p.amountPaid ?? '0', p.currency)} paid); reminders resume.`;
    case 'broken':
      return `Duely: promise of ${promised} by ${p.promisedDate} broken (nothing paid); reminders resume.`;
  }
}
