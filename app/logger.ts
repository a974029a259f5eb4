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
  'config.adminToken',
  'config.telegram.botToken',
  'config.telegram.webhookSecret',
];

export function createLogger(options: {
  level: string;
  pretty?: boolean;
  destination?: pino.DestinationStream;
}) {
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
    options.destination,
  );
}

export function maskBotTokens(text: string): string {
  return text.replace(/\d{5,}:[\w-]{30,}/g, '[bot-token]');
}
