import { XeroRateLimiter } from '../../../connectors/xero/rateLimiter';

const HOUR = 3600_000;
const dayHeaders = (remaining: number) => new Headers({ 'X-DayLimit-Remaining': String(remaining) });

/** Xero's day limit is a rolling 24 hours: a nearly spent day recovers, and Duely must notice. */
describe('Xero rate limiter: nearly spent day', () => {
  let clock = 1_800_000_000_000;
  const limiter = () => new XeroRateLimiter({ now: () => clock });

  it('postpones non-urgent work for what is left of the hour, lets urgent writes through', async () => {
    const l = limiter();
    l.observe('t', dayHeaders(120));
    expect(() => l.checkDay('t')).toThrow(expect.objectContaining({ kind: 'rate_limited' }));
    clock += 20 * 60_000;
    try {
      l.checkDay('t');
      throw new Error('not postponed');
    } catch (e) {
      expect(e).toMatchObject({
        kind: 'rate_limited',
        details: { code: 'day_limit', retryAfterMs: 40 * 60_000 },
      });
    }
    expect(() => l.checkDay('t', { urgent: true })).not.toThrow();
  });

  it('asks Xero again an hour later instead of postponing forever on the old count', async () => {
    const l = limiter();
    l.observe('t', dayHeaders(120));
    clock += HOUR;
    const release = await l.acquire('t');
    release();
    // Xero's answer sets the count again: plenty left now
    l.observe('t', dayHeaders(3100));
    expect(() => l.checkDay('t')).not.toThrow();
    // or still spent: postponed for another hour
    l.observe('t', dayHeaders(40));
    expect(() => l.checkDay('t')).toThrow(expect.objectContaining({ kind: 'rate_limited' }));
  });

  it('a 429 naming the day limit blocks even urgent work until its Retry-After', () => {
    const l = limiter();
    l.blockDay('t', 2 * HOUR);
    expect(() => l.checkDay('t', { urgent: true })).toThrow(
      expect.objectContaining({ kind: 'rate_limited' }),
    );
    clock += 2 * HOUR;
    expect(() => l.checkDay('t', { urgent: true })).not.toThrow();
  });
});
