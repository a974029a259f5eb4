import cors from '@koa/cors';
import type { AppMiddleware } from './context.ts';

/**
 * Which sites may call the API from a browser (`WIDGET_ORIGINS`; `*`: any). One policy, applied by Koa's
 * CORS middleware to the routes Koa serves and by `headersFor` to the event streams served before Koa
 * (simple GET requests: their preflight, if any, still reaches the middleware).
 */
export function corsPolicy(widgetOrigins: string[]) {
  const anyOrigin = widgetOrigins.includes('*');
  /** The allowed origin to answer, or '' for none. */
  const allowedOrigin = (origin: string) => (anyOrigin ? '*' : widgetOrigins.includes(origin) ? origin : '');
  const exposeHeaders = ['Retry-After', 'X-Request-Id'];

  const middleware: AppMiddleware = cors({
    origin: (ctx) => allowedOrigin(ctx.get('Origin')),
    allowHeaders: ['Authorization', 'Content-Type', 'Last-Event-ID'],
    allowMethods: ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'],
    exposeHeaders,
    maxAge: 600,
  }) as AppMiddleware;

  const exposed = exposeHeaders.join(',');
  const vary = Object.freeze({ Vary: 'Origin' });
  const anyAllowed = Object.freeze({
    Vary: 'Origin',
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Expose-Headers': exposed,
  });

  /** The CORS headers of an actual (non-preflight) request from `origin` (the Origin header; '' if none). */
  const headersFor = (origin: string): Readonly<Record<string, string>> => {
    const allowed = origin === '' ? '' : allowedOrigin(origin);
    if (allowed === '') return vary;
    if (allowed === '*') return anyAllowed;
    return {
      Vary: 'Origin',
      'Access-Control-Allow-Origin': allowed,
      'Access-Control-Expose-Headers': exposed,
    };
  };

  return { middleware, headersFor };
}
