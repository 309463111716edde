import type { Db } from '../../src/db/client';
import { plannerStatsRefresher } from '../../src/services/sync/plannerStats';
import { createTestApp, type TestApp } from '../support/app';

/** A database whose execute() only counts the statements it is given. */
function countingDb(fail = false) {
  const statements: string[] = [];
  const db = {
    execute: async (q: { queryChunks?: unknown[] }) => {
      statements.push(JSON.stringify(q.queryChunks ?? q));
      if (fail) throw new Error('permission denied');
      return { rows: [] };
    },
  } as unknown as Db;
  return { db, statements };
}

describe('planner statistics during a large sync', () => {
  it('analyzes at 10,000 written records, then each time they grow fourfold, never twice for one step', async () => {
    const { db, statements } = countingDb();
    const stats = plannerStatsRefresher(db, () => undefined);
    for (const total of [1_000, 9_999, 10_000, 12_000, 39_999, 40_000, 41_000, 200_000, 200_500])
      await stats.written(total);
    // 10,000 → 40,000 → 160,000 (200,000 passes it; the next is 640,000)
    expect(statements).toHaveLength(3);
    expect(statements[0]).toContain(
      'analyze customers, invoices, payments, payment_allocations, credit_notes',
    );
  });

  it('a small sync never analyzes', async () => {
    const { db, statements } = countingDb();
    const stats = plannerStatsRefresher(db, () => undefined);
    for (let total = 0; total < 10_000; total += 1_000) await stats.written(total);
    expect(statements).toHaveLength(0);
  });

  it('a failing ANALYZE is reported and does not fail the sync', async () => {
    const { db } = countingDb(true);
    const errors: unknown[] = [];
    const stats = plannerStatsRefresher(db, (e) => errors.push(e));
    await expect(stats.written(50_000)).resolves.toBeUndefined();
    expect(errors).toHaveLength(1);
  });

  describe('on the real database', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp();
    });
    afterAll(() => t.close());

    it('runs the statement the database accepts', async () => {
      const errors: unknown[] = [];
      await plannerStatsRefresher(t.app.db, (e) => errors.push(e)).written(10_000);
      expect(errors).toEqual([]);
    });
  });
});
