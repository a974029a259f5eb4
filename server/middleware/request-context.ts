import { randomUUID } from 'node:crypto';
import { RequestContext } from '@mikro-orm/core';
import type { Logger } from 'pino';
import type { Orm } from '../../db/orm.ts';
import type { AppMiddleware } from '../context.ts';

const REQUEST_ID = /^[\w-]{8,64}$/;

/** The request's id: the client's (or proxy's) `X-Request-Id` when well-formed, else a new one. */
export const requestIdOf = (incoming: string) => (REQUEST_ID.test(incoming) ? incoming : randomUUID());

/** A request id, a child logger and a fresh entity manager (RequestContext) for every request. */
export function requestContextMiddleware({ orm, logger }: { orm: Orm; logger: Logger }): AppMiddleware {
  return async (ctx, next) => {
    const requestId = requestIdOf(ctx.get('X-Request-Id'));
    const started = performance.now();
    ctx.state.requestId = requestId;
    ctx.state.log = logger.child({ reqId: requestId });
    ctx.set('X-Request-Id', requestId);
    try {
      await RequestContext.create(orm.em, next);
    } finally {
      // The path only: query strings are not logged.
      ctx.state.log.info(
        {
          method: ctx.method,
          path: ctx.path,
          status: ctx.status,
          ms: Math.round(performance.now() - started),
        },
        'request',
      );
    }
  };
}
