import type { Logger } from 'pino';
import type { ErrorCode, ErrorResponse } from '../../contract/api.ts';
import { DomainError, RateLimited } from '../../core/errors.ts';
import { isDatabaseUnavailable } from '../../db/database-errors.ts';
import type { AppMiddleware } from '../context.ts';
import { HttpError } from '../http-error.ts';

const DOMAIN_STATUS: Record<string, number> = {
  not_found: 404,
  forbidden: 403,
  ticket_already_claimed: 409,
  ticket_closed: 409,
  conflict: 409,
  edit_window_expired: 409,
  message_deleted: 410,
  rate_limited: 429,
};

type Rendered = { status: number; code: ErrorCode; message: string; retryAfterSeconds?: number };

/**
 * Seconds a client is asked to wait after a 503 because the database could not be reached: lost
 * connections are replaced within that time, and a wait for a free one is bounded (db/orm.ts).
 */
export const DATABASE_RETRY_AFTER_SECONDS = 2;

/** Errors thrown by Koa's own helpers and the body parser carry `status` and `expose`. */
type KoaHttpError = Error & { status?: number; statusCode?: number; expose?: boolean };

function render(error: unknown): Rendered {
  if (error instanceof HttpError) return { status: error.status, code: error.code, message: error.message };
  if (error instanceof DomainError) {
    return {
      status: DOMAIN_STATUS[error.code] ?? 400,
      code: error.code as ErrorCode,
      message: error.message,
      retryAfterSeconds: error instanceof RateLimited ? error.retryAfterSeconds : undefined,
    };
  }
  const httpError = error as KoaHttpError;
  const status = httpError?.status ?? httpError?.statusCode;
  // The router answers a method it does not know at all (PROPFIND, …) with 501.
  if (status === 501) return { status, code: 'method_not_allowed', message: 'Method not implemented' };
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // The JSON body parser fails with a SyntaxError carrying status 400.
    if (httpError.name === 'SyntaxError')
      return { status: 400, code: 'invalid_json', message: 'Malformed JSON body' };
    if (status === 413) return { status, code: 'payload_too_large', message: 'Request body too large' };
    if (status === 404) return { status, code: 'not_found', message: 'Not found' };
    if (status === 401) return { status, code: 'unauthorized', message: 'Unauthorized' };
    if (status === 403) return { status, code: 'forbidden', message: 'Forbidden' };
    if (status === 405) return { status, code: 'method_not_allowed', message: 'Method not allowed' };
    return { status, code: 'bad_request', message: httpError.expose ? httpError.message : 'Bad request' };
  }
  if (isDatabaseUnavailable(error)) {
    return {
      status: 503,
      code: 'service_unavailable',
      message: 'Temporarily unavailable, please retry',
      retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
    };
  }
  return { status: 500, code: 'internal_error', message: 'Something went wrong on our side' };
}

/** What a failed request is answered: its status, extra headers and the one error body. */
export type ErrorAnswer = { status: number; headers: Record<string, string>; body: ErrorResponse };

/**
 * The answer to a failure, logged when it is the server's (5xx; details stay in the log). Shared by the
 * error middleware and the event-stream routes served before Koa (server/event-stream-routes.ts).
 */
export function errorAnswer(error: unknown, log: Logger | undefined): ErrorAnswer {
  const rendered = render(error);
  if (rendered.status === 503) log?.warn({ err: error }, 'request failed: service unavailable');
  else if (rendered.status >= 500) log?.error({ err: error }, 'request failed');
  return {
    status: rendered.status,
    headers:
      rendered.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(rendered.retryAfterSeconds) },
    body: { error: { code: rendered.code, message: rendered.message } },
  };
}

/** The one error boundary: every failure leaves as `{ error: { code, message } }`; 5xx details stay in the log. */
export function errorMiddleware(): AppMiddleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new HttpError(404, 'not_found', `No route for ${ctx.method} ${ctx.path}`);
      }
    } catch (error) {
      const answer = errorAnswer(error, ctx.state.log);
      ctx.set(answer.headers);
      ctx.status = answer.status;
      ctx.body = answer.body;
    }
  };
}
