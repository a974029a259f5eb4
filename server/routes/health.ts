import Router from '@koa/router';
import type { Orm } from '../../db/orm.ts';
import type { AppContext, AppState } from '../context.ts';
import { DATABASE_RETRY_AFTER_SECONDS } from '../middleware/errors.ts';

/**
 * How long the database check may take before /healthz answers 503. It goes through the application's
 * pool, so a pool with no free connection (every slot stuck or busy) shows as unhealthy, as it is for
 * the requests waiting behind it; the check itself never waits longer than this.
 */
export const HEALTH_CHECK_TIMEOUT_MS = 2_000;

/** Whether the database answers `select 1` through the ORM's pool within `timeoutMs`. */
export async function databaseAnswers(orm: Orm, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  // A check that loses the race ends by itself within the pool's connection timeout (db/orm.ts).
  const checked = orm.isConnected().catch(() => false);
  try {
    return await Promise.race([checked, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

export function healthRoutes({ orm }: { orm: Orm }) {
  const router = new Router<AppState, AppContext>();
  router.get('/healthz', async (ctx) => {
    const database = await databaseAnswers(orm, HEALTH_CHECK_TIMEOUT_MS);
    ctx.status = database ? 200 : 503;
    if (!database) ctx.set('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS));
    ctx.body = { status: database ? 'ok' : 'unavailable', database: database ? 'ok' : 'down' };
  });
  return router;
}
