import { parseMoney } from '../money';
import type { StepConditions } from '../sequences/format';

/** Conditions are checked against today's state: current balance, tags and days overdue. */
export function conditionsMet(
  conditions: StepConditions | undefined,
  facts: { balance: bigint; tags: readonly string[]; daysOverdue: number },
): boolean {
  if (!conditions) return true;
  if (conditions.minBalance !== undefined && facts.balance < parseMoney(conditions.minBalance)) return false;
  if (conditions.tags && !conditions.tags.some((t) => facts.tags.includes(t))) return false;
  if (conditions.minDaysOverdue !== undefined && facts.daysOverdue < conditions.minDaysOverdue) return false;
  if (conditions.maxDaysOverdue !== undefined && facts.daysOverdue > conditions.maxDaysOverdue) return false;
  return true;
}
