/** `npm start`: reads the configuration, starts Switchboard, stops gracefully on SIGINT / SIGTERM. */
import { parseConfig } from './app/config.ts';
import { loadEnvironment } from './app/environment.ts';
import { createLogger, wantsPrettyLogs } from './app/logger.ts';
import { exitWithStartFailure } from './app/start-failure.ts';
import { startSwitchboard } from './app/switchboard.ts';

// A failure to start ends the process with one line of advice naming the setting (app/start-failure.ts).
let config: ReturnType<typeof parseConfig>;
try {
  config = parseConfig(loadEnvironment());
} catch (error) {
  exitWithStartFailure(error);
}

const logger = createLogger({
  level: config.logLevel,
  pretty: wantsPrettyLogs({ isTTY: process.stdout.isTTY, nodeEnv: config.nodeEnv }),
});
const switchboard = await startSwitchboard(config, logger).catch((error: unknown) =>
  exitWithStartFailure(error, config),
);

/** The drain (app/switchboard.ts) takes at most about 8 s; beyond this the process exits anyway. */
const SHUTDOWN_LIMIT_MS = 10_000;
/**
 * A stop request often arrives twice: from whatever signals the whole process group (a terminal's Ctrl-C,
 * systemd's default KillMode) and again forwarded by `npm start`. Repeats within a second are that one
 * request; a later one (a second Ctrl-C) exits at once.
 */
const REPEATED_SIGNAL_MS = 1000;
let stopRequestedAt: number | undefined;
const onStopSignal = (signal: NodeJS.Signals) => {
  if (stopRequestedAt !== undefined) {
    if (Date.now() - stopRequestedAt < REPEATED_SIGNAL_MS) return;
    logger.warn({ signal }, 'stopping at once, without finishing the shutdown');
    process.exit(1);
  }
  stopRequestedAt = Date.now();
  logger.info({ signal }, 'shutting down');
  const forceExit = setTimeout(() => {
    logger.error(`the shutdown took longer than ${SHUTDOWN_LIMIT_MS / 1000} s: exiting without finishing it`);
    process.exit(1);
  }, SHUTDOWN_LIMIT_MS);
  forceExit.unref();
  switchboard.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    },
  );
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, onStopSignal);
