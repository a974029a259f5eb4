import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { createSupportGroup } from '../bot/storage/support-group.ts';
import { startTelegramBot, type TelegramBot } from '../bot/telegram-bot.ts';
import { createTelegramProbe } from '../bot/telegram-probe.ts';
import { deliveryStatus } from '../core/delivery-backlog.ts';
import { createInProcessEventBus } from '../core/event-bus.ts';
import type { MediaStore } from '../core/media-store.ts';
import { createFileMediaStore } from '../core/media-store-files.ts';
import { createPostgresMediaStore } from '../core/media-store-postgres.ts';
import { createS3MediaStore } from '../core/media-store-s3.ts';
import { noOutbox } from '../core/outbox.ts';
import { createS3Client } from '../core/s3-client.ts';
import { createServices } from '../core/services.ts';
import { createAdvisoryLock, soleInstanceLock } from '../db/exclusive-lock.ts';
import {
  createOrm,
  type DatabaseOptions,
  databaseOptions,
  migrate,
  type Orm,
  poolUsageOf,
} from '../db/orm.ts';
import { createPostgresEventBus } from '../events/postgres-event-bus.ts';
import { type JobQueue, startJobQueue } from '../jobs/job-queue.ts';
import { createApp } from '../server/create-app.ts';
import { createHttpServer } from '../server/http-server.ts';
import { createLimitStore } from '../server/limits/create-limit-store.ts';
import { createVisitorTokens } from '../server/visitor-token.ts';
import type { Config } from './config.ts';
import { resolveJwtSecret } from './jwt-secret.ts';
import type { Logger } from './logger.ts';
import { startMediaHousekeeping } from './media-housekeeping.ts';
import { ensurePortFree } from './port-probe.ts';
import { startPresenceWatch } from './presence-watch.ts';
import { botReadiness, cachedFor, telegramNotConfigured } from './readiness.ts';
import { retryInBackground } from './retry.ts';
import { createTelegramStatus, explainTelegramConnectFailure } from './telegram-status.ts';

/** Where `npm run build` puts the demo site, the widget and the Mini App. */
const WEB_ROOT = resolve(import.meta.dirname, '../dist/public');
/** How long one reading of the delivery backlog answers /readyz, the Mini App's banner and /queue. */
const DELIVERY_STATUS_CACHE_MS = 2000;
/** At shutdown, how long requests in progress may take before their connections are cut. */
const REQUEST_DRAIN_MS = 3000;
/** What an instance announces when it binds the support group: the others forget their cached binding. */
const SUPPORT_GROUP_TOPIC = 'support-group';
/** The advisory lock whose holder polls Telegram (BOT_MODE=polling): "SWBPOLL" in ASCII. */
const POLLING_LOCK_KEY = 0x535742504f4c4cn;
/** At shutdown, the reconnection delay event streams are told (SSE `retry:`, spread up to twice this). */
const SHUTDOWN_STREAM_RETRY_MS = 1000;

/**
 * Where conversations' files are kept (MEDIA_STORE): an S3-compatible bucket when configured; on
 * PostgreSQL the database by default, so every instance serves every file; on PGlite (one instance)
 * DATA_DIR/media.
 */
function createMediaStore(config: Config, databaseKind: DatabaseOptions['kind'], orm: Orm): MediaStore {
  const files = createFileMediaStore(config.dataDir);
  const kind = config.media.store ?? (databaseKind === 'postgresql' ? 'postgres' : 'files');
  if (kind === 'files') return files;
  if (kind === 's3') {
    // Config refuses MEDIA_STORE=s3 without a bucket and keys.
    const s3 = createS3Client(config.media.s3 as NonNullable<Config['media']['s3']>);
    return createS3MediaStore({ s3, local: files, dataDir: config.dataDir });
  }
  return createPostgresMediaStore({ em: orm.em, local: files, dataDir: config.dataDir });
}

export type Switchboard = Awaited<ReturnType<typeof startSwitchboard>>;

/**
 * The composition root: config → ORM (migrated) → job queue → services → bot → Koa app → HTTP server.
 * Returns the running parts and `stop()`, which shuts down in reverse order. `database` overrides the
 * configured database (tests use a fresh one).
 */
export async function startSwitchboard(
  config: Config,
  logger: Logger,
  options: { database?: DatabaseOptions } = {},
) {
  await ensurePortFree(config.port);
  const database = options.database ?? databaseOptions(config);
  const orm = await createOrm(database);
  const applied = await migrate(orm);
  logger.info(
    {
      database: database.kind,
      ...(database.kind === 'pglite' ? { dataDir: database.dataDir } : {}),
      applied,
    },
    'database ready',
  );

  // On PostgreSQL, events reach every instance on the database (LISTEN/NOTIFY); after the listener
  // reconnects, open event streams end so their clients resume with Last-Event-ID (nothing missed).
  // PGlite is one process: the in-process bus.
  let resynchronise = () => {};
  const crossInstanceBus =
    database.kind === 'postgresql'
      ? createPostgresEventBus({ url: database.url, logger, onReconnect: () => resynchronise() })
      : undefined;
  await crossInstanceBus?.start();
  const bus =
    crossInstanceBus ??
    createInProcessEventBus((error) => logger.error({ err: error }, 'event listener failed'));
  const media = createMediaStore(config, database.kind, orm);
  const { botToken } = config.telegram;

  let jobs: JobQueue | undefined;
  let telegram: TelegramBot | undefined;
  // Prometheus metrics (GET /metrics), only with METRICS_TOKEN; the gauges read their sources at scrape.
  // prom-client is loaded only then: a start without metrics does not pay for it.
  let openEventStreams = () => 0;
  const metrics = config.metricsToken
    ? (await import('../server/metrics.ts')).createMetrics(
        {
          openEventStreams: () => openEventStreams(),
          deliveryBacklog: botToken
            ? async () => {
                const backlog = await (jobs as JobQueue).backlog();
                const oldest = backlog.oldestCreatedAt?.getTime();
                return {
                  jobs: backlog.waiting,
                  oldestSeconds: oldest === undefined ? 0 : Math.max(0, (Date.now() - oldest) / 1000),
                };
              }
            : undefined,
          databasePool: database.kind === 'postgresql' ? () => poolUsageOf(orm) : undefined,
        },
        (error) => logger.warn({ err: error }, 'a metric could not be collected'),
      )
    : undefined;
  if (botToken) {
    jobs = await startJobQueue({
      orm,
      databaseUrl: database.kind === 'postgresql' ? database.url : undefined,
      logger,
      afterHoursSeconds: Math.ceil(config.afterHoursMinutes * 60),
      offerSeconds: config.assignment.offerSeconds,
      metrics: metrics?.jobs,
      allInGroup: config.telegram.ticketThreads === 'group-topics',
    });
  } else {
    logger.warn(
      'TELEGRAM_BOT_TOKEN is not set: the visitor side runs, agents are not connected. ' +
        'Create a bot with @BotFather, put its token in .env as TELEGRAM_BOT_TOKEN and restart (see README, "Connect Telegram").',
    );
  }
  const services = createServices({
    em: orm.em,
    // Through the metrics, the services' own messages are counted as they publish them.
    bus: metrics ? metrics.countingMessages(bus) : bus,
    outbox: jobs?.outbox ?? noOutbox,
    editWindowMs: config.messageEditWindowMs,
    presence: { awayAfterMs: config.presence.awayAfterMs, categorySkills: config.presence.categorySkills },
    assignment: {
      mode: config.assignment.mode,
      capacity: config.assignment.capacity,
      offerMs: config.assignment.offerSeconds * 1000,
    },
  });

  // One support-group reader (with its cache) for the bot and /readyz, forgotten on every instance when
  // one binds a group; the backlog for /readyz, the Mini App's banner and /queue; the connection state
  // the connect loop below drives, for /readyz.
  const supportGroup = createSupportGroup(orm.em, config.telegram.supportGroupChatId, {
    announceChange: () => crossInstanceBus?.announce(SUPPORT_GROUP_TOPIC),
  });
  crossInstanceBus?.onAnnouncement(SUPPORT_GROUP_TOPIC, () => supportGroup.forget());
  const { deliveryDelayAlertSeconds, telegramGraceSeconds } = config.readiness;
  // Shared for a moment: health probes, every agent's app and /queue ask, and one query answers them all.
  const deliveries = cachedFor(DELIVERY_STATUS_CACHE_MS, async () =>
    deliveryStatus(await (jobs as JobQueue).backlog(), deliveryDelayAlertSeconds),
  );
  const telegramStatus = createTelegramStatus();

  let connecting: ReturnType<typeof retryInBackground<TelegramBot>> | undefined;
  /** Set by stop(): a connect attempt that finishes afterwards stops its bot instead of running it. */
  let shuttingDown = false;
  const tokens = createVisitorTokens(resolveJwtSecret(config));
  // Visitor limits: in Redis (REDIS_URL), else in PostgreSQL, else in memory (PGlite is one process).
  const limitStore = await createLimitStore({
    redisUrl: config.redisUrl,
    databaseUrl: database.kind === 'postgresql' ? database.url : undefined,
    warn: (error, message) => logger.warn({ err: error }, message),
    onFallback: metrics ? () => metrics.limitStoreFellBack() : undefined,
  });
  logger.info({ store: limitStore.kind }, 'visitor limits');
  const { app, listener, eventStreams } = createApp({
    config,
    logger,
    orm,
    services,
    bus,
    tokens,
    media,
    limitStore,
    adminToken: config.adminToken,
    metrics,
    metricsToken: config.metricsToken,
    readiness: botToken
      ? botReadiness({
          telegram: telegramStatus,
          telegramGraceSeconds,
          telegramUpdates: () => telegram?.updates(),
          supportGroupChatId: () => supportGroup.chatId(),
          deliveries,
          deliveryDelayAlertSeconds,
          webhookInfo:
            config.telegram.mode === 'webhook'
              ? createTelegramProbe({ token: botToken, apiRoot: config.telegram.apiRoot }).getWebhookInfo
              : undefined,
        })
      : telegramNotConfigured,
    deliveries: botToken ? deliveries : undefined,
    webRoot: WEB_ROOT,
    agentAccess: botToken
      ? {
          botToken,
          maxAgeSeconds: config.miniappAuthMaxAgeSeconds,
          connected: () => telegram !== undefined,
          agentStatus: (userId) => (telegram as TelegramBot).agentStatus(userId),
          botUsername: () => telegram?.username ?? null,
          isGroupAdmin: async (userId) => (telegram ? telegram.isGroupAdmin(userId) : false),
        }
      : undefined,
    telegram: botToken
      ? {
          connected: () => telegram !== undefined,
          handleWebhook: (ctx) => (telegram as TelegramBot).handleWebhook(ctx as never),
          setWebhook: (url) => (telegram as TelegramBot).setWebhook(url),
          webhookSecret: config.telegram.mode === 'webhook' ? config.telegram.webhookSecret : undefined,
        }
      : undefined,
  });

  resynchronise = () => eventStreams.closeAll();
  openEventStreams = () => eventStreams.size;

  const server: Server = createHttpServer(listener, config.http);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, resolve);
  });
  const { port } = server.address() as AddressInfo;
  logger.info(
    { port, publicUrl: config.publicUrl, mediaStore: media.kind },
    `Switchboard listening on http://localhost:${port}`,
  );

  if (botToken && jobs) {
    const queue = jobs;
    // The visitor side never waits for Telegram: the bot connects once the server answers, and if
    // Telegram cannot be reached now, later (cards and messages wait in the job queue meanwhile). A
    // refused token is not retried.
    connecting = retryInBackground(
      `Telegram: connecting to ${config.telegram.apiRoot}`,
      async () => {
        const bot = await startTelegramBot({
          token: botToken,
          apiRoot: config.telegram.apiRoot,
          throttle: config.telegram.throttle,
          ticketThreads: config.telegram.ticketThreads,
          mode: config.telegram.mode,
          // PostgreSQL: instances share the database, one polls at a time. PGlite: the one instance.
          pollingLock:
            database.kind === 'postgresql'
              ? createAdvisoryLock({
                  url: database.url,
                  key: POLLING_LOCK_KEY,
                  applicationName: 'switchboard-polling',
                })
              : soleInstanceLock,
          webhookSecret: config.telegram.webhookSecret,
          afterHoursMinutes: config.afterHoursMinutes,
          orm,
          services,
          logger,
          media,
          supportGroup,
          deliveries,
          // Telegram opens only https Web Apps.
          miniappUrl: config.miniappUrl.startsWith('https://') ? config.miniappUrl : undefined,
          miniappShortName: config.presence.miniappShortName,
          metrics: metrics?.bot,
        });
        if (shuttingDown) {
          await bot.stop();
          return bot;
        }
        try {
          await queue.work(bot.deliver);
        } catch (error) {
          // The next attempt starts a new bot: this one must not go on polling beside it.
          await bot.stop();
          throw error;
        }
        telegram = bot;
        // This process's enqueues wake their workers after the commit; another instance's change that
        // enqueued Telegram work publishes an event after its commit: wake a worker here too.
        crossInstanceBus?.subscribeRemote(() => queue.nudge());
        // What the bot shows live (the visitor typing), from whichever instance the event comes.
        bus.subscribe('*', bot.onDomainEvent);
        return bot;
      },
      { logger, explain: explainTelegramConnectFailure, observer: telegramStatus.observer },
    );
  }

  // Background work, started once the server answers (its first sweep would otherwise hold the database
  // while the first requests wait). Working hours starting and ending, agents going quiet: the unclaimed cards' "online" line follows.
  const presenceWatch = startPresenceWatch({ orm, services, logger });
  const housekeeping = startMediaHousekeeping({
    orm,
    services,
    media,
    logger,
    retentionDays: config.media.retentionDays,
    conversationRetentionDays: config.retentionDays,
    // An incoming file outlives its request by far once the request timeout has passed twice.
    staleIncomingMs: 2 * config.http.requestTimeoutMs,
  });

  /**
   * The graceful stop (SIGTERM / SIGINT, see main.ts), bounded to about 8 s: no new connections; event
   * streams end with a retry hint (clients reconnect, to another instance or after the restart, and
   * resume with Last-Event-ID); no new Telegram updates; requests in progress get up to
   * REQUEST_DRAIN_MS, then their connections are cut; running deliveries and timers get up to 5 s to
   * finish (pg-boss's graceful stop; one still running is retried later); then the database closes.
   */
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      shuttingDown = true;
      eventStreams.closeAll({ retryMs: SHUTDOWN_STREAM_RETRY_MS });
      server.closeIdleConnections();
      connecting?.cancel();
      const drainRequests = async () => {
        // server.close() closes the connections idle at that moment only: a kept-alive one whose
        // response ends later (an event stream just ended, a request in progress) is closed as it idles.
        const closeIdle = setInterval(() => server.closeIdleConnections(), 50);
        let timer: NodeJS.Timeout | undefined;
        const drained = await Promise.race([
          closed.then(() => true),
          new Promise<false>((resolve) => {
            timer = setTimeout(() => resolve(false), REQUEST_DRAIN_MS);
          }),
        ]);
        clearTimeout(timer);
        clearInterval(closeIdle);
        if (drained) return;
        logger.warn(`requests still running after ${REQUEST_DRAIN_MS / 1000} s: closing their connections`);
        server.closeAllConnections();
      };
      await Promise.all([drainRequests(), telegram?.stop()]);
      await housekeeping.stop();
      await presenceWatch.stop();
      await jobs?.stop();
      await limitStore.close();
      await crossInstanceBus?.stop();
      await orm.close();
      logger.info('stopped');
    })();
    return stopping;
  };

  return {
    orm,
    services,
    bus,
    app,
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    jobs,
    eventStreams,
    /** Where conversations' files are kept. */
    media,
    /** Removes expired media and stale incoming files now (it also runs at start and hourly). */
    sweepMedia: housekeeping.sweepNow,
    /** Refreshes the unclaimed cards now if who is online changed (it also runs every 30 s). */
    checkPresence: presenceWatch.checkNow,
    /** The bot, once it reached Telegram. */
    get telegram() {
      return telegram;
    },
    /** Settles when the bot connected (or gave up); immediately without a bot token. */
    telegramReady: connecting?.done ?? Promise.resolve(),
    stop,
  };
}
