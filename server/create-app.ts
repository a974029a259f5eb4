import type { IncomingMessage, ServerResponse } from 'node:http';
import { bodyParser } from '@koa/bodyparser';
import Koa from 'koa';
import type { Logger } from 'pino';
import type { CategoryOption } from '../contract/api.ts';
import type { DeliveryStatus } from '../core/delivery-backlog.ts';
import type { EventBus } from '../core/event-bus.ts';
import type { MediaStore } from '../core/media-store.ts';
import type { Services } from '../core/services.ts';
import type { Orm } from '../db/orm.ts';
import type { AppContext, AppState } from './context.ts';
import { corsPolicy } from './cors.ts';
import { eventStreamRoutes } from './event-stream-routes.ts';
import { createEventStreams } from './event-streams.ts';
import type { LimitStore } from './limits/limit-store.ts';
import { createMemoryLimitStore } from './limits/memory-limit-store.ts';
import { visitorLimits } from './limits/visitor-limits.ts';
import type { Metrics } from './metrics.ts';
import type { AgentAccess } from './middleware/agent-auth.ts';
import { errorMiddleware } from './middleware/errors.ts';
import { requestContextMiddleware } from './middleware/request-context.ts';
import { securityHeaders } from './middleware/security-headers.ts';
import { adminRoutes } from './routes/admin.ts';
import { agentRoutes } from './routes/agent.ts';
import { agentCannedReplyRoutes } from './routes/agent-canned-replies.ts';
import { agentNoteRoutes } from './routes/agent-notes.ts';
import { agentReportRoutes } from './routes/agent-reports.ts';
import { agentSearchRoutes } from './routes/agent-search.ts';
import { agentTagRoutes } from './routes/agent-tags.ts';
import { agentTeamRoutes } from './routes/agent-team.ts';
import { healthRoutes } from './routes/health.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { type ReadinessComponents, readinessRoutes } from './routes/readiness.ts';
import { TELEGRAM_WEBHOOK_PATH, type TelegramEndpoint, telegramRoutes } from './routes/telegram.ts';
import { visitorRoutes } from './routes/visitor.ts';
import { staticFiles } from './static-files.ts';
import type { VisitorTokens } from './visitor-token.ts';

export type AppConfig = {
  publicUrl: string;
  trustProxy: boolean;
  /** With `trustProxy`: how many proxies append to X-Forwarded-For. */
  trustProxyHops: number;
  widgetOrigins: string[];
  categories: string[];
  /** The categories with their labels per language (`CATEGORIES`), for the widget. */
  categoryOptions?: CategoryOption[];
  rateLimit: { messages: number; windowSeconds: number; sessions: number; sessionsWindowSeconds: number };
  /** Event streams per session (or agent) and per client address; `heartbeatMs`: keep-alive interval. */
  eventStreams: { perSession: number; perIp: number; heartbeatMs?: number };
  uploads: { perSession: number; perIp: number };
  media: { quotaBytesPerSession: number };
  /** IDENTITY_SECRET: verifies `Switchboard.identify`; absent → identification is refused (403). */
  identitySecret?: string;
};

export type AppDeps = {
  config: AppConfig;
  logger: Logger;
  orm: Orm;
  services: Services;
  bus: EventBus;
  tokens: VisitorTokens;
  media: MediaStore;
  /** Where visitor rate limits and caps are counted (limits/create-limit-store.ts); absent: in memory. */
  limitStore?: LimitStore;
  /** Present when a bot is configured. */
  telegram?: TelegramEndpoint;
  /** The Mini App's agent API (`/api/agent/*`); present when a bot is configured, else it answers 503. */
  agentAccess?: AgentAccess;
  adminToken?: string;
  /** Prometheus metrics (`GET /metrics` with `metricsToken`); absent → the route answers 404. */
  metrics?: Metrics;
  metricsToken?: string;
  /** `/readyz`'s components beyond the database (Telegram, support group, deliveries); absent: database only. */
  readiness?: ReadinessComponents;
  /** Telegram deliveries waiting, for the Mini App's banner (`/api/agent/deliveries`); present with a bot. */
  deliveries?: () => Promise<DeliveryStatus>;
  /** The built browser apps (`dist/public`); absent in tests of the API alone. */
  webRoot?: string;
};

/** JSON bodies up to this size; the longest visitor message fits with room to spare. */
const JSON_LIMIT = '64kb';

export function createApp(deps: AppDeps) {
  const { config } = deps;
  // Behind proxies, each appends the address it saw to X-Forwarded-For: only the last `hops` entries were
  // written by them, and the first of those is the client. Earlier entries are the client's own words.
  const app = new Koa<AppState, AppContext>({
    proxy: config.trustProxy,
    maxIpsCount: config.trustProxy ? config.trustProxyHops : 0,
  });
  const limits = visitorLimits(deps.limitStore ?? createMemoryLimitStore(), config);
  const eventStreams = createEventStreams({
    perOwner: config.eventStreams.perSession,
    perIp: config.eventStreams.perIp,
    places: limits.streamsPerIp,
    heartbeatMs: config.eventStreams.heartbeatMs,
  });
  const cors = corsPolicy(config.widgetOrigins);
  const securityHeadersOf = securityHeaders({
    https: config.publicUrl.startsWith('https://'),
    widgetOrigins: config.widgetOrigins,
  });
  // Errors Koa sees outside the middleware chain, e.g. a client leaving an event stream.
  app.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'ERR_STREAM_PREMATURE_CLOSE' || error.code === 'ECONNRESET') return;
    deps.logger.error({ err: error }, 'response failed');
  });

  // First, so that it times every request and sees the status the error middleware settled on.
  if (deps.metrics) app.use(deps.metrics.httpMiddleware);
  app.use(requestContextMiddleware({ orm: deps.orm, logger: deps.logger }));
  app.use(errorMiddleware());
  app.use((ctx, next) => {
    ctx.set(securityHeadersOf(ctx.path));
    return next();
  });
  if (deps.webRoot) app.use(staticFiles(deps.webRoot));
  app.use(cors.middleware);
  // The Telegram webhook reads its own body, larger, and only once the secret header checked out.
  const jsonBody = bodyParser({ enableTypes: ['json'], jsonLimit: JSON_LIMIT, encoding: 'utf-8' });
  app.use((ctx, next) => (ctx.path === TELEGRAM_WEBHOOK_PATH ? next() : jsonBody(ctx, next)));

  const routers = [
    healthRoutes({ orm: deps.orm }),
    readinessRoutes({ orm: deps.orm, components: deps.readiness }),
    visitorRoutes({
      services: deps.services,
      tokens: deps.tokens,
      categories: config.categories,
      categoryOptions: config.categoryOptions,
      widgetOrigins: config.widgetOrigins,
      limits,
      media: deps.media,
      quotaBytesPerSession: config.media.quotaBytesPerSession,
      identitySecret: config.identitySecret,
    }),
    telegramRoutes({ telegram: deps.telegram, adminToken: deps.adminToken }),
    adminRoutes({ services: deps.services, media: deps.media, adminToken: deps.adminToken }),
    metricsRoutes({ metrics: deps.metrics, token: deps.metricsToken }),
    agentRoutes({
      services: deps.services,
      media: deps.media,
      access: deps.agentAccess,
      deliveries: deps.deliveries,
    }),
    agentTeamRoutes({ services: deps.services, access: deps.agentAccess, categories: config.categories }),
    agentCannedReplyRoutes({
      services: deps.services,
      access: deps.agentAccess,
      categories: config.categories,
    }),
    agentNoteRoutes({ services: deps.services, access: deps.agentAccess }),
    agentTagRoutes({ services: deps.services, access: deps.agentAccess }),
    agentSearchRoutes({ services: deps.services, access: deps.agentAccess }),
    agentReportRoutes({ services: deps.services, access: deps.agentAccess }),
  ];
  for (const router of routers) app.use(router.routes()).use(router.allowedMethods({ throw: true }));

  // The event streams are served before Koa (event-stream-routes.ts): an idle one holds nothing of it.
  const streamRoutes = eventStreamRoutes({
    // Koa's own reading, from a context dropped at once (no Koa middleware runs).
    clientAddress: (req, res) => app.createContext(req, res).ip,
    orm: deps.orm,
    logger: deps.logger,
    metrics: deps.metrics,
    services: deps.services,
    bus: deps.bus,
    tokens: deps.tokens,
    access: deps.agentAccess,
    eventStreams,
    securityHeaders: securityHeadersOf,
    corsHeaders: cors.headersFor,
  });
  const koa = app.callback();
  /** The node:http request listener: the event streams, then everything else through Koa. */
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    if (!streamRoutes(req, res)) void koa(req, res);
  };

  return { app, eventStreams, listener };
}
