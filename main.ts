/** `npm start`: reads the configuration, starts Switchboard, stops gracefully on SIGINT / SIGTERM. */
import { ConfigError, parseConfig } from './app/config.ts';
import { loadEnvironment } from './app/environment.ts';
import { createLogger } from './app/logger.ts';
import { startSwitchboard } from './app/switchboard.ts';

let config: ReturnType<typeof parseConfig>;
try {
  config = parseConfig(loadEnvironment());
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

const logger = createLogger({ level: config.logLevel });
const switchboard = await startSwitchboard(config, logger).catch((error: unknown) => {
  logger.fatal({ err: error }, 'could not start');
  process.exit(1);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'shutting down');
    const forceExit = setTimeout(() => process.exit(1), 10_000);
    forceExit.unref();
    switchboard.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
