import type { BucketRule, LimitStore } from './limit-store.ts';

/** A failure is logged at most this often (a store that is down fails every request). */
const WARN_EVERY_MS = 30_000;

/**
 * A shared store that falls back to this instance's own limits while it fails (the database or Redis
 * down or too slow): each request is still limited, per instance as before sharing, and never answered
 * 5xx because of its limit check. Each fallback is counted (`onFallback`, a metric); a warning is
 * logged at most every 30 s. A place taken from the fallback is given back to it.
 */
export function withLocalFallback(
  shared: LimitStore,
  local: LimitStore,
  {
    warn,
    onFallback = () => {},
    now = Date.now,
  }: { warn: (error: unknown, message: string) => void; onFallback?: () => void; now?: () => number },
): LimitStore {
  let lastWarning = Number.NEGATIVE_INFINITY;
  const fellBack = (error: unknown) => {
    onFallback();
    if (now() - lastWarning < WARN_EVERY_MS) return;
    lastWarning = now();
    warn(error, `visitor limits: the ${shared.kind} store failed; limiting per instance meanwhile`);
  };
  return {
    kind: shared.kind,
    async take(rule: BucketRule, key: string) {
      try {
        return await shared.take(rule, key);
      } catch (error) {
        fellBack(error);
        return local.take(rule, key);
      }
    },
    async acquire(name: string, key: string, limit: number) {
      try {
        return await shared.acquire(name, key, limit);
      } catch (error) {
        fellBack(error);
        return local.acquire(name, key, limit);
      }
    },
    close: () => shared.close(),
  };
}
