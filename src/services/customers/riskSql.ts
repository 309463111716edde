/** The risk score of domain/customerRisk.ts as a SQL expression, so lists filter and sort on it. */
import { sql, type SQL } from 'drizzle-orm';
import { RISK, type RiskLevel } from '../../domain/customerRisk';

/**
 * `maxDays`, `broken`, `disputes`, `bounced` name columns of the query it is used in (fixed
 * identifiers from our own code, never user input); the constants come from the domain module.
 */
export function riskScoreSql(cols: {
  maxDays: string;
  broken: string;
  disputes: string;
  bounced: string;
}): SQL {
  const overdue = RISK.overdueSteps.map(([days, points]) => `when ${cols.maxDays} > ${days} then ${points}`);
  return sql.raw(
    `((case ${overdue.join(' ')} else 0 end)` +
      ` + least(${RISK.brokenPromise.max}, ${RISK.brokenPromise.each} * ${cols.broken})` +
      ` + least(${RISK.openDispute.max}, ${RISK.openDispute.each} * ${cols.disputes})` +
      ` + (case when ${cols.bounced} then ${RISK.bounce.points} else 0 end))`,
  );
}

/** `score` column within a level's range. */
export function riskLevelSql(score: string, level: RiskLevel): SQL {
  if (level === 'high') return sql.raw(`${score} >= ${RISK.levels.high}`);
  if (level === 'medium')
    return sql.raw(`${score} >= ${RISK.levels.medium} and ${score} < ${RISK.levels.high}`);
  return sql.raw(`${score} < ${RISK.levels.medium}`);
}
