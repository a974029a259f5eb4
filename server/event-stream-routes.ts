import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestContext } from '@mikro-orm/core';
import type { Logger } from 'pino';
import type { EventBus } from '../core/event-bus.ts';
import type { Services } from '../core/services.ts';
import type { Orm } from '../db/orm.ts';
import type { EventStreams, StreamTarget } from './event-streams.ts';
import { HttpError } from './http-error.ts';
import type { Metrics } from './metrics.ts';
import { type AgentAccess, authenticateAgent } from './middleware/agent-auth.ts';
import { errorAnswer } from './middleware/errors.ts';
import { requestIdOf } from './middleware/request-context.ts';
import { authenticateVisitor } from './middleware/visitor-auth.ts';
import { ownSessionIdOf } from './route-params.ts';
import { streamAgentEvents } from './routes/agent-events.ts';
import { streamSessionEvents } from './routes/session-events.ts';
import type { VisitorTokens } from './visitor-token.ts';

export type EventStreamRouteDeps = {
  /** The client's address, as Koa reads it for its routes (TRUST_PROXY, TRUST_PROXY_HOPS). */
  clientAddress: (req: IncomingMessage, res: ServerResponse) => string;
  orm: Orm;
  logger: Logger;
  metrics?: Metrics;
  services: Services;
  bus: EventBus;
  tokens: VisitorTokens;
  access?: AgentAccess;
  eventStreams: EventStreams;
  /** The security headers of a path (middleware/security-headers.ts). */
  securityHeaders: (path: string) => Readonly<Record<string, string>>;
  /** The CORS headers for a request's Origin (cors.ts). */
  corsHeaders: (origin: string) => Readonly<Record<string, string>>;
};

/** What a route reads of its request. */
type StreamRequest = {
  req: IncomingMessage;
  params: Record<string, string>;
  query: URLSearchParams;
  /** A request header ('' when absent), as Koa's `ctx.get`. */
  get(header: string): string;
};

const headerOf = (req: IncomingMessage, name: string) => {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : (value ?? '');
};

type Route = {
  /** The route's name in metrics, as the router would name it. */
  pattern: string;
  match: (path: string) => Record<string, string> | undefined;
  open: (request: StreamRequest, target: StreamTarget) => Promise<void>;
};

const SESSION_EVENTS = /^\/api\/session\/([^/]+)\/events$/;

/**
 * The event-stream routes (`GET /api/session/:id/events`, `GET /api/agent/events`), served on the raw
 * node:http request before Koa. A stream lives for hours, mostly idle: served by Koa it would keep Koa's
 * context, its finish listener and a header map alive for as long, with the request's logger and entity
 * manager behind them. Here the handshake applies what the Koa middleware applies to every API request,
 * through the same functions: a request id, the security and CORS headers, the client's address,
 * authentication, the stream caps, the services inside a RequestContext, the one error JSON, the
 * request's metric and log line. The path and query are read here, not parsed onto the request (Koa's
 * parsed URL would stay there). An open stream holds its response and its subscriber's state only
 * (event-streams.ts).
 *
 * Returns a request handler that serves its routes' paths (other methods than GET: 405) and answers
 * false for everything else, which is Koa's (a CORS preflight included).
 */
export function eventStreamRoutes(deps: EventStreamRouteDeps) {
  const routes: Route[] = [
    {
      pattern: '/api/session/:id/events',
      match: (path) => {
        const id = SESSION_EVENTS.exec(path)?.[1];
        return id === undefined ? undefined : { id };
      },
      open: async (request, target) => {
        const visitor = await authenticateVisitor(deps.tokens, request.get('Authorization'));
        const sessionId = await ownSessionIdOf(deps.services, request.params.id, visitor);
        const lastEventId = request.get('Last-Event-ID') || (request.query.get('last_event_id') ?? '');
        await streamSessionEvents(target, { sessionId, lastEventId }, deps);
      },
    },
    {
      pattern: '/api/agent/events',
      match: (path) => (path === '/api/agent/events' ? {} : undefined),
      open: async (request, target) => {
        const agent = await authenticateAgent(deps.access, deps.services, request.get('Authorization'));
        await streamAgentEvents(target, agent.id, deps);
      },
    },
  ];

  const serve = async (route: Route, path: string, request: StreamRequest, res: ServerResponse) => {
    const started = performance.now();
    const requestId = requestIdOf(request.get('X-Request-Id'));
    const headers: Record<string, string> = {
      ...deps.securityHeaders(path),
      ...deps.corsHeaders(request.get('Origin')),
      'X-Request-Id': requestId,
    };
    const { method } = request.req;
    let status = 200;
    try {
      const ip = deps.clientAddress(request.req, res);
      if (method !== 'GET') {
        headers.Allow = 'GET';
        throw new HttpError(405, 'method_not_allowed', 'Method not allowed');
      }
      await RequestContext.create(deps.orm.em, () => route.open(request, { res, ip, headers }));
    } catch (error) {
      const answer = errorAnswer(error, deps.logger.child({ reqId: requestId }));
      status = answer.status;
      // Failed once streaming (not expected: what follows the opening only writes): the stream ends.
      if (res.headersSent) return void res.end();
      const body = JSON.stringify(answer.body);
      res.writeHead(status, {
        ...headers,
        ...answer.headers,
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': String(Buffer.byteLength(body)),
      });
      res.end(body);
    } finally {
      const ms = performance.now() - started;
      deps.metrics?.observeRequest({
        method: method ?? '',
        route: route.pattern,
        status,
        seconds: ms / 1000,
      });
      // The path only: query strings are not logged.
      deps.logger.info({ reqId: requestId, method, path, status, ms: Math.round(ms) }, 'request');
    }
  };

  return (req: IncomingMessage, res: ServerResponse): boolean => {
    // The CORS preflight is Koa's (its CORS middleware answers it).
    if (req.method === 'OPTIONS' || req.url === undefined) return false;
    const query = req.url.indexOf('?');
    const path = query === -1 ? req.url : req.url.slice(0, query);
    for (const route of routes) {
      const params = route.match(path);
      if (params === undefined) continue;
      const request: StreamRequest = {
        req,
        params,
        query: new URLSearchParams(query === -1 ? '' : req.url.slice(query + 1)),
        get: (header) => headerOf(req, header),
      };
      void serve(route, path, request, res);
      return true;
    }
    return false;
  };
}
