import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInProcessEventBus } from '../core/event-bus.ts';
import { createServices } from '../core/services.ts';
import { createOrm, databaseOptions, migrate } from '../db/orm.ts';
import { createApp } from '../server/create-app.ts';
import { createVisitorTokens } from '../server/visitor-token.ts';
import type { Config } from './config.ts';
import { resolveJwtSecret } from './jwt-secret.ts';
import type { Logger } from './logger.ts';

export type Switchboard = Awaited<ReturnType<typeof startSwitchboard>>;

/**
 * The composition root: config → ORM (migrated) → services → Koa app → HTTP server.
 * Returns the running parts and `stop()`, which shuts down in reverse order.
 */
export async function startSwitchboard(config: Config, logger: Logger) {
  const database = databaseOptions(config);
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

  const bus = createInProcessEventBus((error) => logger.error({ err: error }, 'event listener failed'));
  const services = createServices({ em: orm.em, bus });
  const tokens = createVisitorTokens(resolveJwtSecret(config));
  const { app, eventStreams } = createApp({ config, logger, orm, services, bus, tokens });

  if (!config.telegram.botToken) {
    logger.warn(
      'TELEGRAM_BOT_TOKEN is not set: the visitor side runs, agents are not connected. ' +
        'Create a bot with @BotFather, put its token in .env as TELEGRAM_BOT_TOKEN and restart (see README, "Connect Telegram").',
    );
  }

  const server: Server = createServer(app.callback());
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
      await closed;
      await orm.close();
      logger.info('stopped');
    })();
    return stopping;
  };

  return { orm, services, bus, app, server, port, url: `http://127.0.0.1:${port}`, stop };
}
