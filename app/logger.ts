import { createRequire } from 'node:module';
import { pino } from 'pino';

export type Logger = pino.Logger;

/** Paths whose values never reach a log line. */
export const REDACTED_PATHS = [
  'token',
  'access_token',
  'authorization',
  'secret',
  'password',
  '*.token',
  '*.access_token',
  '*.authorization',
  '*.secret',
  '*.password',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-telegram-bot-api-secret-token"]',
  'config.jwtSecret',
  'config.identitySecret',
  'config.adminToken',
  'config.telegram.botToken',
  'config.telegram.webhookSecret',
];

/**
 * Human-readable lines for a person at a terminal in development; JSON (one object a line) everywhere
 * else: log collectors, files, pipes, production.
 */
export function wantsPrettyLogs({
  isTTY,
  nodeEnv,
}: {
  isTTY: boolean | undefined;
  nodeEnv: string;
}): boolean {
  return isTTY === true && nodeEnv === 'development';
}

/**
 * pino-pretty's stream writing to `destination` (stdout by default), or undefined when pino-pretty is not
 * installed: it is a devDependency, and a production install (`npm ci --omit=dev`) has none. Loaded
 * only when wanted, in-process and synchronously, so the last lines before an exit are never lost.
 */
export function prettyStream(
  destination: pino.DestinationStream | number = 1,
  load: (name: string) => unknown = createRequire(import.meta.url),
): pino.DestinationStream | undefined {
  let build: (options: object) => pino.DestinationStream;
  try {
    build = load('pino-pretty') as typeof build;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return undefined;
    throw error;
  }
  return build({
    destination,
    sync: true,
    colorize: destination === 1 && process.stdout.isTTY === true,
    ignore: 'pid,hostname',
  });
}

/**
 * The app's logger: secrets redacted and bot tokens masked before anything is written, in either
 * format. `pretty` asks for human-readable lines (JSON when pino-pretty is not installed).
 */
export function createLogger(options: {
  level: string;
  pretty?: boolean;
  destination?: pino.DestinationStream;
}) {
  const destination = (options.pretty && prettyStream(options.destination)) || options.destination;
  return pino(
    {
      level: options.level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      // Bot tokens appear inside Telegram URLs (https://api.telegram.org/bot<token>/…): mask them anywhere in a message.
      hooks: {
        logMethod(args, method) {
          method.apply(
            this,
            args.map((arg) => (typeof arg === 'string' ? maskBotTokens(arg) : arg)) as Parameters<
              typeof method
            >,
          );
        },
      },
      serializers: {
        err: (err: Error) => {
          const serialized = pino.stdSerializers.err(err);
          return {
            ...serialized,
            message: maskBotTokens(serialized.message),
            stack: maskBotTokens(serialized.stack ?? ''),
          };
        },
      },
    },
    destination,
  );
}

export function maskBotTokens(text: string): string {
  return text.replace(/\d{5,}:[\w-]{30,}/g, '[bot-token]');
}
