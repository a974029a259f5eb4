export type ConcurrencyLimiter = ReturnType<typeof createConcurrencyLimiter>;

/**
 * Counts what is in progress per key (uploads per session, per client address): at most `limit` at once.
 * Unlike the rate limiter it counts what is open now, not what started lately, so a slow upload holds
 * its place until it ends. Per process: limits/memory-limit-store.ts (shared stores keep leases instead).
 */
export function createConcurrencyLimiter(limit: number) {
  const open = new Map<string, number>();
  return {
    /** Takes a place for `key`; returns the function that gives it back (once), or null when `key` is full. */
    acquire(key: string): (() => void) | null {
      const count = open.get(key) ?? 0;
      if (count >= limit) return null;
      open.set(key, count + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (open.get(key) ?? 1) - 1;
        if (left > 0) open.set(key, left);
        else open.delete(key);
      };
    },

    /** How many are in progress for `key`. */
    count(key: string): number {
      return open.get(key) ?? 0;
    },
  };
}
