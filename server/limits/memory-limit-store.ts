import { createConcurrencyLimiter } from '../concurrency-limiter.ts';
import { createTokenBucketLimiter, type HitLimiter } from '../middleware/rate-limit.ts';
import type { BucketRule, LimitStore } from './limit-store.ts';

/**
 * The limits in this process's memory: right for one process (PGlite), and what an instance falls back
 * to while its shared store cannot be reached. Nothing to renew: a place ends with its request.
 */
export function createMemoryLimitStore({ now = Date.now }: { now?: () => number } = {}): LimitStore {
  const buckets = new Map<string, HitLimiter>();
  const caps = new Map<string, ReturnType<typeof createConcurrencyLimiter>>();
  const bucketOf = (rule: BucketRule) => {
    const id = `${rule.name}/${rule.capacity}/${rule.refillPerSecond}`;
    let limiter = buckets.get(id);
    if (!limiter) {
      limiter = createTokenBucketLimiter({ ...rule, now });
      buckets.set(id, limiter);
    }
    return limiter;
  };
  const capOf = (name: string, limit: number) => {
    const id = `${name}/${limit}`;
    let cap = caps.get(id);
    if (!cap) {
      cap = createConcurrencyLimiter(limit);
      caps.set(id, cap);
    }
    return cap;
  };
  return {
    kind: 'memory',
    take: async (rule, key) => bucketOf(rule).hit(key),
    acquire: async (name, key, limit) => capOf(name, limit).acquire(key),
    close: async () => {},
  };
}
