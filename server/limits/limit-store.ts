/**
 * Where visitor rate limits and caps are counted: in this process (PGlite: one process holds the data),
 * in PostgreSQL or in Redis (several instances share them). The routes see only this interface;
 * `create-limit-store.ts` chooses.
 */

/** A token bucket: holds up to `capacity` tokens, starts full, each hit takes one, refilled at a rate. */
export type BucketRule = {
  /** Names the limit in the store's keys (`messages`, `sessions`, …). */
  name: string;
  capacity: number;
  refillPerSecond: number;
};

/** Gives a place back (once; later calls do nothing). Never throws: a failure is the store's to handle. */
export type Release = () => void;

export type LimitStore = {
  /** What the limits live in, for logs and the README's words: `memory`, `postgresql`, `redis`. */
  readonly kind: 'memory' | 'postgresql' | 'redis';
  /** Takes a token of `rule`'s bucket for `key`: 0 when allowed, else the whole seconds until one is back. */
  take(rule: BucketRule, key: string): Promise<number>;
  /**
   * Takes one of `limit` places of the cap `name` for `key` (something open: an upload, a stream); null
   * when all are taken. A shared store holds it as a lease its holder renews, so the places of an
   * instance that died come back on their own within the lease's time.
   */
  acquire(name: string, key: string, limit: number): Promise<Release | null>;
  /** Stops renewing, gives back what is held (best effort) and disconnects. */
  close(): Promise<void>;
};

/**
 * A shared store's place is held this long unless its holder renews it (every third of it): how long a
 * dead instance's places wait to come back.
 */
export const LEASE_TTL_MS = 30_000;

/** The seconds a refused hit waits, from the milliseconds until a token is back (at least 1). */
export const retryAfterSeconds = (waitMs: number) => Math.max(1, Math.ceil(waitMs / 1000));
