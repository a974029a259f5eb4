import { withLocalFallback } from './fallback-limit-store.ts';
import type { LimitStore } from './limit-store.ts';
import { createMemoryLimitStore } from './memory-limit-store.ts';

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
  const onError = (error: Error) => options.warn(error, 'visitor limits: connection failed');
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
