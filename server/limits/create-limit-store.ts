import { withLocalFallback } from './fallback-limit-store.ts';
import type { LimitStore } from './limit-store.ts';
import { createMemoryLimitStore } from './memory-limit-store.ts';

const CONNECTION_WARNING_EVERY_MS = 30_000;

export type LimitStoreOptions = {
  /** REDIS_URL: the limits live in Redis. */
  redisUrl?: string;
  /** DATABASE_URL (PostgreSQL): without Redis, the limits live in the database. */
  databaseUrl?: string;
  warn: (error: unknown, message: string) => void;
  /** Counts a check answered by this instance's own limits because the shared store failed. */
  onFallback?: () => void;
};

/**
 * Where the visitor limits live: Redis when REDIS_URL is set, else PostgreSQL when the database is one
 * (several instances may share it), else this process's memory (PGlite: one process). A shared store
 * falls back to the memory one while it fails. Each store module is loaded only when chosen.
 */
export async function createLimitStore(options: LimitStoreOptions): Promise<LimitStore> {
  const local = createMemoryLimitStore();
  // A store that is down fails every reconnection attempt: one warning per half minute is enough.
  let lastWarning = Number.NEGATIVE_INFINITY;
  const onError = (error: Error) => {
    if (Date.now() - lastWarning < CONNECTION_WARNING_EVERY_MS) return;
    lastWarning = Date.now();
    options.warn(error, 'visitor limits: the shared store failed');
  };
  let shared: LimitStore;
  if (options.redisUrl) {
    const { createRedisLimitStore } = await import('./redis-limit-store.ts');
    shared = await createRedisLimitStore({ url: options.redisUrl, onError });
  } else if (options.databaseUrl) {
    const { createPostgresLimitStore } = await import('./postgres-limit-store.ts');
    shared = createPostgresLimitStore({ url: options.databaseUrl, onError });
  } else {
    return local;
  }
  return withLocalFallback(shared, local, { warn: options.warn, onFallback: options.onFallback });
}
