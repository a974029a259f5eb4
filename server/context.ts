import type Koa from 'koa';
import type { Logger } from 'pino';

/** What middleware puts on `ctx.state`. */
export type AppState = Koa.DefaultState & {
  log: Logger;
  requestId: string;
  visitor?: { sessionId: string };
};

export type AppContext = Koa.DefaultContext & { request: { body?: unknown } };
export type AppMiddleware = Koa.Middleware<AppState, AppContext>;
