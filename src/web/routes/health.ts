import { Router } from 'express';
import type { AppContext } from '../../app/context';

const withTimeout = <T>(p: Promise<T>, ms: number) =>
  Promise.race([
    p,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms).unref(),
    ),
  ]);

export function healthRouter(app: AppContext): Router {
  const r = Router();
  r.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  r.get('/readyz', async (_req, res) => {
    const checks: Record<string, string> = {};
    try {
      await withTimeout(app.database.ping(), 2000);
      checks.database = 'ok';
    } catch (e) {
      checks.database = `failing: ${(e as Error).message}`;
    }
    if (app.config.REDIS_URL) {
      try {
        await withTimeout(app.queue.ping(), 2000);
        checks.redis = 'ok';
      } catch (e) {
        checks.redis = `failing: ${(e as Error).message}`;
      }
    }
    const failing = Object.entries(checks).filter(([, v]) => v !== 'ok');
    if (failing.length) {
      res.status(503).json({ status: 'unavailable', failing: failing.map(([k]) => k), checks });
      return;
    }
    res.json({ status: 'ok', checks });
  });
  return r;
}
