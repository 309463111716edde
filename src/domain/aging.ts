/** Aging buckets by days past the due date (CONTRACT.md §3). */
export type AgingBucket = 'current' | '1-30' | '31-60' | '61-90' | '90+';
export const AGING_BUCKETS: readonly AgingBucket[] = ['current', '1-30', '31-60', '61-90', '90+'];

/** Whole calendar days from `dueDate` to `asOf` (both YYYY-MM-DD); negative when not yet due. */
export function daysPastDue(dueDate: string, asOf: string): number {
  return Math.round((Date.parse(asOf + 'T00:00:00Z') - Date.parse(dueDate + 'T00:00:00Z')) / 86_400_000);
}

export function agingBucket(daysOverdue: number): AgingBucket {
  if (daysOverdue <= 0) return 'current';
  if (daysOverdue <= 30) return '1-30';
  if (daysOverdue <= 60) return '31-60';
  if (daysOverdue <= 90) return '61-90';
  return '90+';
}
