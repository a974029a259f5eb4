import type Koa from 'koa';
import { RateLimited } from '../../core/errors.ts';
import type { AppContext, AppMiddleware, AppState } from '../context.ts';
import type { RateLimiter } from '../rate-limiter.ts';

/** Counts a hit against `keyOf(ctx)`; over the limit the request fails with 429 and `Retry-After`. */
export function rateLimitMiddleware(
  limiter: RateLimiter,
  keyOf: (ctx: Koa.ParameterizedContext<AppState, AppContext>) => string,
): AppMiddleware {
  return async (ctx, next) => {
    enforceRateLimit(limiter, keyOf(ctx));
    await next();
  };
}

/** Counts a hit against `key`; throws RateLimited (429 with `Retry-After`) over the limit. */
export function enforceRateLimit(limiter: RateLimiter, key: string) {
  const retryAfter = limiter.hit(key);
  if (retryAfter) throw new RateLimited(retryAfter);
}
