import IORedis from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';

/**
 * One Redis connection per URL for every limiter of the process (there are several per app). Its
 * socket does not keep the process alive on its own: a web process lives by its HTTP server, and
 * a CLI or test that is done exits without waiting for a limiter.
 */
const clients = new Map<string, IORedis>();
function sharedClient(url: string): IORedis {
  let client = clients.get(url);
  if (!client) {
    client = new IORedis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
    client.on('error', () => {
      /* reported by /readyz */
    });
    const c = client;
    c.on('connect', () => c.stream.unref());
    clients.set(url, client);
  }
  return client;
}

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
    return new RateLimiterRedis({
      ...common,
      storeClient: sharedClient(opts.redisUrl),
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
