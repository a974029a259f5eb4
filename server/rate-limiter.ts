export type RateLimiter = ReturnType<typeof createRateLimiter>;

/**
 * A sliding-window limiter kept in memory: at most `limit` hits per key in any `windowMs`.
 * Per process: with several instances each enforces the limit on its own share of traffic.
 */
export function createRateLimiter({
  limit,
  windowMs,
  now = Date.now,
}: {
  limit: number;
  windowMs: number;
  now?: () => number;
}) {
  const hits = new Map<string, number[]>();
  let sinceSweep = 0;

  const sweep = (time: number) => {
    for (const [key, times] of hits) {
      if ((times.at(-1) ?? 0) <= time - windowMs) hits.delete(key);
    }
  };

  return {
    /** Records a hit; returns 0 when allowed, else the seconds until the next hit would be. */
    hit(key: string): number {
      const time = now();
      if (++sinceSweep >= 1000) {
        sinceSweep = 0;
        sweep(time);
      }
      const times = (hits.get(key) ?? []).filter((at) => at > time - windowMs);
      if (times.length >= limit) {
        hits.set(key, times);
        return Math.max(1, Math.ceil(((times[0] as number) + windowMs - time) / 1000));
      }
      times.push(time);
      hits.set(key, times);
      return 0;
    },
  };
}
