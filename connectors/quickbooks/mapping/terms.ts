/** QuickBooks Term → the due-days table used by customers and invoices. */
import type { RecordError } from '../../types';
import { rawTerm } from './schemas';

export interface TermsTable {
  terms: Map<string, { name: string; dueDays: number | null }>;
  errors: RecordError[];
}

/** Terms are not canonical records of their own; a bad one is reported against customers. */
export function addTerms(
  into: Map<string, { name: string; dueDays: number | null }>,
  raws: readonly unknown[],
): RecordError[] {
  const errors: RecordError[] = [];
  for (const raw of raws) {
    const parsed = rawTerm.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const id = raw && typeof raw === 'object' ? (raw as Record<string, unknown>).Id : undefined;
      errors.push({
        entity: 'customers',
        externalId: null,
        reason: `invalid QuickBooks Term ${typeof id === 'string' ? id : '?'}: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'schema mismatch'}`,
      });
      continue;
    }
    const t = parsed.data;
    // DATE_DRIVEN terms have no net days (DayOfMonthDue instead)
    into.set(t.Id, { name: t.Name, dueDays: t.DueDays ?? null });
  }
  return errors;
}
