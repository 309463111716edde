/**
 * How disputes and requests are named to people and in the books: categories, outcomes, and the
 * short write-back notes ("Duely: dispute D-1001 opened (pricing, portal); reminders paused.").
 */
import type { DISPUTE_OUTCOMES } from '../policies';
import { DISPUTE_CATEGORIES, REQUEST_CATEGORIES } from '../policies';

export const CATEGORY_LABELS: Record<string, string> = {
  pricing: 'Price is wrong',
  quantity: 'Quantity is wrong',
  quality: 'Quality or service problem',
  not_received: 'Goods or service not received',
  duplicate: 'Invoice is a duplicate',
  already_paid: 'Already paid',
  invoice_copy: 'Send me a copy of an invoice',
  update_details: 'Update our billing details',
  payment_plan: 'Ask for a payment plan',
  other: 'Something else',
};

export const OUTCOME_LABELS: Record<(typeof DISPUTE_OUTCOMES)[number], string> = {
  credit_issued: 'credit issued',
  invoice_corrected: 'invoice corrected',
  not_valid: 'not valid: the invoice stands',
  paid: 'settled by payment',
  answered: 'answered',
  other: 'resolved',
};

/** What the customer is told a resolution means. */
export const OUTCOME_SENTENCES: Record<string, string> = {
  credit_issued: 'We have issued a credit for it.',
  invoice_corrected: 'We have corrected the invoice.',
  not_valid: 'After review, the invoice stands as issued.',
  paid: 'The invoice is settled by payment.',
  answered: 'We have answered your request.',
  other: 'We have resolved it.',
};

export const categoriesFor = (kind: string): readonly string[] =>
  kind === 'request' ? REQUEST_CATEGORIES : DISPUTE_CATEGORIES;

export const categoryLabel = (c: string): string => CATEGORY_LABELS[c] ?? c;
export const outcomeLabel = (o: string | null): string =>
  o ? (OUTCOME_LABELS[o as keyof typeof OUTCOME_LABELS] ?? o) : '';
export const kindNoun = (kind: string): string => (kind === 'request' ? 'request' : 'dispute');

const SOURCE: Record<string, string> = {
  portal: 'portal',
  call: 'phone call',
  clerk: 'by the firm',
  api: 'API',
};

export type DisputeNoteEvent =
  | { event: 'opened'; category: string; source: string }
  | { event: 'message'; author: 'customer' | 'clerk' }
  | { event: 'resolved'; outcome: string }
  | { event: 'reopened' };

export function disputeNoteText(d: { kind: string; reference: string }, e: DisputeNoteEvent): string {
  const head = `Duely: ${kindNoun(d.kind)} ${d.reference}`;
  switch (e.event) {
    case 'opened':
      return `${head} opened (${categoryLabel(e.category).toLowerCase()}, ${SOURCE[e.source] ?? e.source}); reminders paused.`;
    case 'message':
      return `${head}: ${e.author === 'clerk' ? 'the firm replied' : 'the customer replied'}.`;
    case 'resolved':
      return `${head} resolved (${outcomeLabel(e.outcome)}); reminders resume.`;
    case 'reopened':
      return `${head} reopened; reminders paused.`;
  }
}
