import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { GrammyError } from 'grammy';
import { createSupportGroup } from '../bot/storage/support-group.ts';
import { startTelegramBot, type TelegramBot } from '../bot/telegram-bot.ts';
import { createInProcessEventBus } from '../core/event-bus.ts';
import { createMediaStore } from '../core/media-store.ts';
import { noOutbox } from '../core/outbox.ts';
import { createServices } from '../core/services.ts';
import { createOrm, type DatabaseOptions, databaseOptions, migrate } from '../db/orm.ts';
import { createPostgresEventBus } from '../events/postgres-event-bus.ts';
import { type JobQueue, startJobQueue } from '../jobs/job-queue.ts';
import { createApp } from '../server/create-app.ts';
import { createHttpServer } from '../server/http-server.ts';
import { createVisitorTokens } from '../server/visitor-token.ts';
import type { Config } from './config.ts';
import { resolveJwtSecret } from './jwt-secret.ts';
import type { Logger } from './logger.ts';
import { startMediaHousekeeping } from './media-housekeeping.ts';
import { retryInBackground } from './retry.ts';

/** Where `npm run build` puts the demo site, the widget and the Mini App. */
const WEB_ROOT = resolve(import.meta.dirname, '../dist/public');

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
  const media = createMediaStore(config.dataDir);
  const { botToken } = config.telegram;

  let jobs: JobQueue | undefined;
  let telegram: TelegramBot | undefined;
  if (botToken) {
    jobs = await startJobQueue({
      orm,
      databaseUrl: database.kind === 'postgresql' ? database.url : undefined,
      logger,
      afterHoursSeconds: Math.ceil(config.afterHoursMinutes * 60),
    });
  } else {
    logger.warn(
      'TELEGRAM_BOT_TOKEN is not set: the visitor side runs, agents are not connected. ' +
        'Create a bot with @BotFather, put its token in .env as TELEGRAM_BOT_TOKEN and restart (see README, "Connect Telegram").',
    );
  }
  const services = createServices({ em: orm.em, bus, outbox: jobs?.outbox ?? noOutbox });

  let connecting: ReturnType<typeof retryInBackground> | undefined;
  if (botToken && jobs) {
    const queue = jobs;
    // The visitor side never waits for Telegram: if it cannot be reached now, the bot connects later
    // (cards and messages wait in the job queue meanwhile). A refused token is not retried.
    connecting = retryInBackground(
      'connecting to Telegram',
      async () => {
        telegram = await startTelegramBot({
          token: botToken,
          apiRoot: config.telegram.apiRoot,
          throttle: config.telegram.throttle,
          mode: config.telegram.mode,
          webhookSecret: config.telegram.webhookSecret,
          afterHoursMinutes: config.afterHoursMinutes,
          orm,
          services,
          logger,
          media,
          supportGroup: createSupportGroup(orm.em, config.telegram.supportGroupChatId),
          // Telegram opens only https Web Apps.
          miniappUrl: config.miniappUrl.startsWith('https://') ? config.miniappUrl : undefined,
        });
        await queue.work(telegram.deliver);
        // Every change that enqueues Telegram work also publishes an event after its commit: wake the worker.
        bus.subscribe('*', () => queue.nudge());
      },
      { logger, isFatal: (error) => error instanceof GrammyError && error.error_code === 401 },
    );
  }

  const tokens = createVisitorTokens(resolveJwtSecret(config));
  const { app, eventStreams } = createApp({
    config,
    logger,
    orm,
    services,
    bus,
    tokens,
    media,
    adminToken: config.adminToken,
    webRoot: WEB_ROOT,
    agentAccess: botToken
      ? {
          botToken,
          maxAgeSeconds: config.miniappAuthMaxAgeSeconds,
          connected: () => telegram !== undefined,
          agentStatus: (userId) => (telegram as TelegramBot).agentStatus(userId),
          botUsername: () => telegram?.username ?? null,
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

  const housekeeping = startMediaHousekeeping({
    orm,
    services,
    media,
    logger,
    retentionDays: config.media.retentionDays,
    // An incoming file outlives its request by far once the request timeout has passed twice.
    staleIncomingMs: 2 * config.http.requestTimeoutMs,
  });

  const server: Server = createHttpServer(app.callback(), config.http);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, resolve);
  });
  const { port } = server.address() as AddressInfo;
  logger.info({ port, publicUrl: config.publicUrl }, `Switchboard listening on http://localhost:${port}`);

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      eventStreams.closeAll();
      server.closeIdleConnections();
      connecting?.cancel();
      await telegram?.stop();
      await closed;
      await housekeeping.stop();
      await jobs?.stop();
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
    /** Removes expired media and stale incoming files now (it also runs at start and hourly). */
    sweepMedia: housekeeping.sweepNow,
    /** The bot, once it reached Telegram. */
    get telegram() {
      return telegram;
    },
    /** Settles when the bot connected (or gave up); immediately without a bot token. */
    telegramReady: connecting?.done ?? Promise.resolve(),
    stop,
  };
}
