import IORedis from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';

/** Rate limiters shared by every web process when Redis is configured, per process otherwise. */
export function createLimiter(opts: {
  keyPrefix: string;
  points: number;
  durationSec: number;
  blockSec?: number;
  redisUrl?: string | undefined;
}): RateLimiterAbstract {
  const common = {
    keyPrefix: opts.keyPrefix,
    points: opts.points,
    duration: opts.durationSec,
    blockDuration: opts.blockSec ?? 0,
  };
  if (opts.redisUrl) {
    const client = new IORedis(opts.redisUrl, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      lazyConnect: false,
    });
    client.on('error', () => {
      /* reported by /readyz */
    });
    return new RateLimiterRedis({
      ...common,
      storeClient: client,
      insuranceLimiter: new RateLimiterMemory(common),
    });
  }
  return new RateLimiterMemory(common);
}

/** Seconds until the limiter lets this key through again, or 0 when it does now. */
export async function blockedFor(limiter: RateLimiterAbstract, key: string): Promise<number> {
  const res = await limiter.get(key);
  if (!res) return 0;
  if (res.remainingPoints > 0 && res.consumedPoints < limiter.points) return 0;
  return Math.ceil(res.msBeforeNext / 1000);
}

export async function consume(limiter: RateLimiterAbstract, key: string): Promise<number> {
  try {
    await limiter.consume(key);
    return 0;
  } catch (e) {
    if (e instanceof RateLimiterRes) return Math.ceil(e.msBeforeNext / 1000);
    throw e;
  }
}
