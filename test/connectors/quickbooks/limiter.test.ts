import { RealmLimiter } from '../../../connectors/quickbooks/limiter';

describe('per-realm limiter', () => {
  it('lets at most maxInFlight requests run at once', async () => {
    const l = new RealmLimiter({ perWindow: 100, windowMs: 1000, maxInFlight: 3 });
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 12 }, async () => {
        await l.acquire();
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        l.release();
      }),
    );
    expect(peak).toBe(3);
  });

  it('holds requests beyond the per-window budget until the window slides', async () => {
    const l = new RealmLimiter({ perWindow: 4, windowMs: 150, maxInFlight: 10 });
    const started: number[] = [];
    const t0 = Date.now();
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        await l.acquire();
        started.push(Date.now() - t0);
        l.release();
      }),
    );
    expect(started.filter((ms) => ms < 100)).toHaveLength(4);
    expect(started.filter((ms) => ms >= 140)).toHaveLength(2);
  });

  it('pauses the whole realm after a 429', async () => {
    const l = new RealmLimiter({ perWindow: 100, windowMs: 1000, maxInFlight: 10 });
    const t0 = Date.now();
    l.pause(120);
    await l.acquire();
    l.release();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(110);
  });
});
