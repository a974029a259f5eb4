import type Koa from 'koa';
import type { Logger } from 'pino';

/** What middleware puts on `ctx.state`. */
export type AppState = Koa.DefaultState & {
  log: Logger;
  requestId: string;
  visitor?: { sessionId: string };
  /** Set by the agent API's auth (a member of the support group). */
  agent?: { id: number; name: string; username: string | null };
};

export type AppContext = Koa.DefaultContext & { request: { body?: unknown } };
export type AppMiddleware = Koa.Middleware<AppState, AppContext>;
