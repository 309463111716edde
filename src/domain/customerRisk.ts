/**
 * A customer's collection risk: a simple, explainable score from 0 to 100 made of four facts a
 * clerk can check on the customer page.
 *
 * | fact                                                         | points                          |
 * |--------------------------------------------------------------|---------------------------------|
 * | days the oldest open invoice is past due                     | 1-30: 10, 31-60: 20, 61-90: 30, 90+: 40 |
 * | promises broken (or only partly kept) in the last 365 days   | 15 each, at most 30             |
 * | open disputes                                                | 10 each, at most 20             |
 * | a bounced address (a contact marked bounced, or a bounce in the last 90 days) | 10             |
 *
 * Level: low below 25, medium 25-49, high from 50. The list query computes the same score in SQL
 * from these constants (services/customers/riskSql.ts), so filtering and sorting agree with this.
 */
export interface RiskFacts {
  /** Days past due of the oldest open invoice with a balance (0 when nothing is overdue). */
  maxDaysOverdue: number;
  brokenPromises: number;
  openDisputes: number;
  bounced: boolean;
}

export type RiskLevel = 'low' | 'medium' | 'high';
export const RISK_LEVELS: readonly RiskLevel[] = ['low', 'medium', 'high'];

export const RISK = {
  /** Points by days overdue: [more than N days, points], checked from the top. */
  overdueSteps: [
    [90, 40],
    [60, 30],
    [30, 20],
    [0, 10],
  ] as const,
  brokenPromise: { each: 15, max: 30, lookbackDays: 365 },
  openDispute: { each: 10, max: 20 },
  bounce: { points: 10, lookbackDays: 90 },
  /** Lowest score of each level. */
  levels: { medium: 25, high: 50 },
} as const;

export function overduePoints(maxDaysOverdue: number): number {
  for (const [days, points] of RISK.overdueSteps) if (maxDaysOverdue > days) return points;
  return 0;
}

export function riskScore(f: RiskFacts): number {
  return (
    overduePoints(f.maxDaysOverdue) +
    Math.min(RISK.brokenPromise.max, RISK.brokenPromise.each * f.brokenPromises) +
    Math.min(RISK.openDispute.max, RISK.openDispute.each * f.openDisputes) +
    (f.bounced ? RISK.bounce.points : 0)
  );
}

export function riskLevel(score: number): RiskLevel {
  if (score >= RISK.levels.high) return 'high';
  if (score >= RISK.levels.medium) return 'medium';
  return 'low';
}

/** Why the score is what it is, one line per fact that adds points. */
export function riskReasons(f: RiskFacts): string[] {
  const out: string[] = [];
  const overdue = overduePoints(f.maxDaysOverdue);
  if (overdue) out.push(`oldest open invoice ${f.maxDaysOverdue} days past due (+${overdue})`);
  if (f.brokenPromises)
    out.push(
      `${f.brokenPromises} broken promise${f.brokenPromises === 1 ? '' : 's'} in the last year (+${Math.min(RISK.brokenPromise.max, RISK.brokenPromise.each * f.brokenPromises)})`,
    );
  if (f.openDisputes)
    out.push(
      `${f.openDisputes} open dispute${f.openDisputes === 1 ? '' : 's'} (+${Math.min(RISK.openDispute.max, RISK.openDispute.each * f.openDisputes)})`,
    );
  if (f.bounced) out.push(`an e-mail address bounced (+${RISK.bounce.points})`);
  return out;
}
