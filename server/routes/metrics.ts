import Router from '@koa/router';
import type { AppContext, AppState } from '../context.ts';
import { HttpError } from '../http-error.ts';
import type { Metrics } from '../metrics.ts';
import { secretMatches } from '../secrets.ts';

/**
 * `GET /metrics`: Prometheus' text format, for `Authorization: Bearer $METRICS_TOKEN` only. Without
 * METRICS_TOKEN the route does not exist (404), so an unconfigured server reveals nothing.
 */
export function metricsRoutes({ metrics, token }: { metrics?: Metrics; token?: string }) {
  const router = new Router<AppState, AppContext>();
  router.get('/metrics', async (ctx) => {
    if (!metrics || !token) throw new HttpError(404, 'not_found', 'Not found');
    const presented = /^Bearer (.+)$/.exec(ctx.get('Authorization'))?.[1];
    if (!secretMatches(presented, token)) {
      ctx.set('WWW-Authenticate', 'Bearer');
      throw new HttpError(401, 'unauthorized', 'Missing or wrong metrics token (METRICS_TOKEN)');
    }
    const { contentType, body } = await metrics.scrape();
    ctx.set('Cache-Control', 'no-store');
    ctx.type = contentType;
    ctx.body = body;
  });
  return router;
}
