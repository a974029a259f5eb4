import Router from '@koa/router';
import type { Orm } from '../../db/orm.ts';
import type { AppContext, AppState } from '../context.ts';

export function healthRoutes({ orm }: { orm: Orm }) {
  const router = new Router<AppState, AppContext>();
  router.get('/healthz', async (ctx) => {
    const database = await orm.isConnected();
    ctx.status = database ? 200 : 503;
    ctx.body = { status: database ? 'ok' : 'unavailable', database: database ? 'ok' : 'down' };
  });
  return router;
}
