import type Koa from 'koa';
import { RateLimited } from '../../core/errors.ts';
import type { AppContext, AppMiddleware, AppState } from '../context.ts';

/**
 * Anything that counts hits per key: answers 0 when a hit is allowed, else the seconds to wait (at once
 * in memory; a shared store answers later).
 */
export type HitLimiter = { hit(key: string): number | Promise<number> };

/** Counts a hit against `keyOf(ctx)`; over the limit the request fails with 429 and `Retry-After`. */
export function rateLimitMiddleware(
  limiter: HitLimiter,
  keyOf: (ctx: Koa.ParameterizedContext<AppState, AppContext>) => string,
): AppMiddleware {
  return async (ctx, next) => {
    await enforceRateLimit(limiter, keyOf(ctx));
    await next();
  };
}

/** Counts a hit against `key`; throws RateLimited (429 with `Retry-After`) over the limit. */
export async function enforceRateLimit(limiter: HitLimiter, key: string) {
  const retryAfter = await limiter.hit(key);
  if (retryAfter) throw new RateLimited(retryAfter);
}

/**
 * A token bucket per key, for visitor messages: a person typing fast (a burst of short lines) never
 * meets it, a flood does. Each key's bucket holds up to `capacity` tokens and starts full; every
 * message takes one; tokens come back at `refillPerSecond`. With the defaults (RATE_LIMIT_MESSAGES=10,
 * RATE_LIMIT_WINDOW_SECONDS=20) that is a burst of 10 messages, then one every 2 s for as long as the
 * flood goes on. A refused hit takes nothing and answers the whole seconds until a token is back.
 * Kept in memory, per process (limits/memory-limit-store.ts; the shared stores keep the same bucket).
 * `now` is injectable for tests.
 */
export function createTokenBucketLimiter({
  capacity,
  refillPerSecond,
  now = Date.now,
}: {
  capacity: number;
  refillPerSecond: number;
  now?: () => number;
}): { hit(key: string): number } {
  const buckets = new Map<string, { tokens: number; at: number }>();
  let sinceSweep = 0;
  const tokensAt = (bucket: { tokens: number; at: number }, time: number) =>
    Math.min(capacity, bucket.tokens + (Math.max(0, time - bucket.at) / 1000) * refillPerSecond);

  // A full bucket is the same as no bucket: forget it, so memory follows the keys that are active.
  const sweep = (time: number) => {
    for (const [key, bucket] of buckets) if (tokensAt(bucket, time) >= capacity) buckets.delete(key);
  };

  return {
    hit(key) {
      const time = now();
      if (++sinceSweep >= 1000) {
        sinceSweep = 0;
        sweep(time);
      }
      const known = buckets.get(key);
      const tokens = known ? tokensAt(known, time) : capacity;
      if (tokens >= 1) {
        buckets.set(key, { tokens: tokens - 1, at: time });
        return 0;
      }
      buckets.set(key, { tokens, at: time });
      return Math.max(1, Math.ceil((1 - tokens) / refillPerSecond));
    },
  };
}
