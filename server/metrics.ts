import type { Middleware } from 'koa';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { EventBus } from '../core/event-bus.ts';

/** The longest a scrape waits for a gauge read from the database (the backlog). */
const COLLECT_TIMEOUT_MS = 2_000;

/** A delivery job's end: out, refused for good by Telegram, or skipped (nothing to send). */
export type DeliveryOutcome = 'sent' | 'refused' | 'skipped';

/** Connections of the PostgreSQL pool (pg.Pool's counters); absent on PGlite, which has no pool. */
export type PoolUsage = { total: number; idle: number; waiting: number; max: number };

/** What the gauges read at scrape time; each is optional (no bot → no backlog, PGlite → no pool). */
export type MetricSources = {
  openEventStreams?: () => number;
  /** Outbound deliveries waiting to be sent or retried, and the age of the oldest (0 when none). */
  deliveryBacklog?: () => Promise<{ jobs: number; oldestSeconds: number }>;
  databasePool?: () => Promise<PoolUsage | undefined>;
};

export type Metrics = ReturnType<typeof createMetrics>;

const HTTP_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** Requests no router matched (static files, CORS preflights, 404s): one label, never the raw URL. */
export const UNMATCHED_ROUTE = '(unmatched)';

/**
 * The Prometheus metrics of one app instance, in their own registry (several apps can run in one
 * process). Names start with `switchboard_`; Node's default metrics (event-loop lag, heap, GC, CPU:
 * `nodejs_*`, `process_*`) keep their standard names. Labels are bounded: routes are the router's
 * patterns, methods a fixed set, delivery types and outcomes closed lists.
 */
export function createMetrics(
  sources: MetricSources = {},
  onCollectError: (error: unknown) => void = () => {},
) {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });

  const httpDuration = new Histogram({
    name: 'switchboard_http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern and status: time until the response started (for event streams: until the stream opened). _count is the number of requests.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });

  const messages = new Counter({
    name: 'switchboard_messages_total',
    help: 'Conversation messages stored by this instance, by sender (visitor, agent, system).',
    labelNames: ['sender'] as const,
    registers,
  });

  const deliveries = new Counter({
    name: 'switchboard_deliveries_total',
    help:
      'Telegram delivery jobs by type and outcome. Each job ends once as sent, refused (Telegram refused it for good: ' +
      'dropped or marked undeliverable), skipped (nothing to send: no support group bound, or the data was erased) ' +
      'or given_up (retries exhausted); ' +
      'retried counts each attempt that failed for now and will run again.',
    labelNames: ['type', 'outcome'] as const,
    registers,
  });

  const limitFallbacks = new Counter({
    name: 'switchboard_limit_store_fallbacks_total',
    help: "Visitor limit checks answered by the instance's own limits because the shared store (PostgreSQL or Redis) failed.",
    registers,
  });

  const rateLimited = new Counter({
    name: 'switchboard_telegram_rate_limited_total',
    help: 'Bot API calls Telegram answered with 429 Too Many Requests (each attempt), by method.',
    labelNames: ['method'] as const,
    registers,
  });

  if (sources.openEventStreams) {
    const read = sources.openEventStreams;
    new Gauge({
      name: 'switchboard_event_streams_open',
      help: 'Server-Sent Event streams open now (visitor widgets and the Mini App).',
      registers,
      collect() {
        this.set(read());
      },
    });
  }

  if (sources.deliveryBacklog) {
    // One query per scrape fills both gauges. A scrape never waits on a struggling database longer than
    // COLLECT_TIMEOUT_MS: the gauges then keep their last values.
    let pending: Promise<{ jobs: number; oldestSeconds: number } | undefined> | undefined;
    const backlog = () => {
      if (pending) return pending;
      let timer: NodeJS.Timeout | undefined;
      const query = (sources.deliveryBacklog as NonNullable<MetricSources['deliveryBacklog']>)().catch(
        (error: unknown) => {
          onCollectError(error);
          return undefined;
        },
      );
      const timedOut = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), COLLECT_TIMEOUT_MS);
      });
      pending = Promise.race([query, timedOut]).finally(() => {
        clearTimeout(timer);
        pending = undefined;
      });
      return pending;
    };
    new Gauge({
      name: 'switchboard_delivery_backlog_jobs',
      help: 'Telegram deliveries waiting to be sent or retried (not counting those running now).',
      registers,
      async collect() {
        const value = await backlog();
        if (value) this.set(value.jobs);
      },
    });
    new Gauge({
      name: 'switchboard_delivery_backlog_oldest_seconds',
      help: 'Age of the oldest Telegram delivery waiting to be sent or retried (0 when none waits).',
      registers,
      async collect() {
        const value = await backlog();
        if (value) this.set(value.oldestSeconds);
      },
    });
  }

  if (sources.databasePool) {
    const read = sources.databasePool;
    new Gauge({
      name: 'switchboard_db_pool_connections',
      help: 'The PostgreSQL connection pool: connections open (total), idle, and the pool size (max).',
      labelNames: ['state'] as const,
      registers,
      async collect() {
        const usage = await read().catch((error: unknown) => onCollectError(error));
        if (!usage) return;
        this.set({ state: 'total' }, usage.total);
        this.set({ state: 'idle' }, usage.idle);
        this.set({ state: 'max' }, usage.max);
      },
    });
    new Gauge({
      name: 'switchboard_db_pool_waiting',
      help: 'Queries waiting for a free PostgreSQL connection now.',
      registers,
      async collect() {
        const usage = await read().catch((error: unknown) => onCollectError(error));
        if (usage) this.set(usage.waiting);
      },
    });
  }

  /** Records one request's duration by method, route pattern (or UNMATCHED_ROUTE) and status. */
  const observeRequest = (request: { method: string; route?: unknown; status: number; seconds: number }) => {
    httpDuration.observe(
      {
        method: HTTP_METHODS.has(request.method) ? request.method : 'OTHER',
        route: typeof request.route === 'string' ? request.route : UNMATCHED_ROUTE,
        status: String(request.status),
      },
      request.seconds,
    );
  };

  /** Koa middleware (install first): every request's duration by method, route pattern and status. */
  const httpMiddleware: Middleware = async (ctx, next) => {
    const started = process.hrtime.bigint();
    let status: number | undefined;
    try {
      await next();
    } catch (error) {
      status = (error as { status?: number }).status ?? 500;
      throw error;
    } finally {
      observeRequest({
        method: ctx.method,
        route: (ctx as { _matchedRoute?: unknown })._matchedRoute,
        status: status ?? ctx.status,
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
      });
    }
  };

  return {
    registry,
    httpMiddleware,
    /** For requests served outside Koa (the event streams, server/event-stream-routes.ts). */
    observeRequest,

    /** The metrics in Prometheus' text format, and its content type. */
    async scrape() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },

    /**
     * The bus to give the services: it counts the messages they store, as they publish them. Events
     * that other instances publish (they arrive on the cross-instance bus) are theirs to count.
     */
    countingMessages(bus: EventBus): EventBus {
      return {
        publish(event) {
          if (event.type === 'message.created') messages.inc({ sender: event.message.sender });
          bus.publish(event);
        },
        subscribe: (sessionId, listener) => bus.subscribe(sessionId, listener),
      };
    },

    /** For the visitor limits (limits/create-limit-store.ts). */
    limitStoreFellBack() {
      limitFallbacks.inc();
    },

    /** For the bot (bot/deps.ts BotMetrics). */
    bot: {
      telegramRateLimited(method: string) {
        rateLimited.inc({ method });
      },
      delivered(type: string, outcome: DeliveryOutcome) {
        deliveries.inc({ type, outcome });
      },
    },

    /** For the job queue (jobs/job-queue.ts DeliveryRetryMetrics). */
    jobs: {
      retried(type: string) {
        deliveries.inc({ type, outcome: 'retried' });
      },
      givenUp(type: string) {
        deliveries.inc({ type, outcome: 'given_up' });
      },
    },
  };
}
