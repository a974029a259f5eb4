import Router from '@koa/router';
import type { Orm } from '../../db/orm.ts';
import type { AppContext, AppState } from '../context.ts';
import { databaseAnswers, HEALTH_CHECK_TIMEOUT_MS } from './health.ts';

/** One part of the product /readyz reports on; `ok: false` makes the answer 503, `problem` says why. */
export type ReadinessComponent = { ok: boolean; problem?: string } & Record<string, unknown>;

/** The components beyond the database (Telegram, support group, deliveries…), each already bounded in time. */
export type ReadinessComponents = () => Promise<Record<string, ReadinessComponent>>;

/**
 * `GET /readyz`: whether the product can do its job, component by component. Unlike /healthz (is the
 * process alive?) it answers 503 when any component is not ok, and names the problems, so an operator or
 * a load balancer knows what is wrong. Every check is bounded, and Telegram is asked at most every few
 * seconds (cached by the components), so probing it often is cheap.
 */
export function readinessRoutes({ orm, components }: { orm: Orm; components?: ReadinessComponents }) {
  const router = new Router<AppState, AppContext>();
  router.get('/readyz', async (ctx) => {
    const [database, others] = await Promise.all([
      databaseAnswers(orm, HEALTH_CHECK_TIMEOUT_MS),
      components?.() ?? {},
    ]);
    const all: Record<string, ReadinessComponent> = {
      database: database
        ? { ok: true, status: 'ok' }
        : { ok: false, status: 'down', problem: `no answer within ${HEALTH_CHECK_TIMEOUT_MS / 1000} s` },
      ...others,
    };
    const problems = Object.entries(all)
      .filter(([, component]) => !component.ok)
      .map(([name, component]) => `${name}: ${component.problem ?? 'not ok'}`);
    ctx.status = problems.length ? 503 : 200;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { status: problems.length ? 'not_ready' : 'ready', problems, components: all };
  });
  return router;
}
