import { z } from 'zod';
import { TICKET_THREAD_MODES } from '../bot/ticket-threads.ts';
import { parseCategories } from './categories.ts';
import { parseCategorySkills } from './category-skills.ts';

/** Everything the app reads from the environment, parsed once at start (DESIGN.md §7). */
export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value);
const optionalString = z.preprocess(emptyAsUndefined, z.string().optional());
/**
 * "must be a number" only for what is not a number: an error set on the schema would also replace
 * the checks' messages (PORT=70000 would say "must be a number" instead of "out of range").
 */
const notANumber = {
  error: (issue: { code: string }) => (issue.code === 'invalid_type' ? 'must be a number' : undefined),
};
const positiveInt = (fallback: number) =>
  z.preprocess(
    emptyAsUndefined,
    z.coerce
      .number(notANumber)
      .int('must be a whole number')
      .positive('must be greater than 0')
      .default(fallback),
  );
const nonNegativeNumber = (fallback: number) =>
  z.preprocess(
    emptyAsUndefined,
    z.coerce.number(notANumber).min(0, 'must not be negative').default(fallback),
  );
const httpUrl = z.url({ protocol: /^https?$/ });

const configSchema = z
  .object({
    NODE_ENV: z.preprocess(
      emptyAsUndefined,
      z.enum(['development', 'production', 'test']).default('development'),
    ),
    PORT: z.preprocess(
      emptyAsUndefined,
      z.coerce
        .number(notANumber)
        .int('must be a whole number')
        .min(0, 'is out of range (0–65535)')
        .max(65535, 'is out of range (0–65535)')
        .default(3000),
    ),
    PUBLIC_URL: z.preprocess(emptyAsUndefined, httpUrl.optional()),
    DATA_DIR: z.preprocess(emptyAsUndefined, z.string().default('./data')),
    DATABASE_URL: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection string')
        .optional(),
    ),
    JWT_SECRET: z.preprocess(
      emptyAsUndefined,
      z.string().min(32, 'must be at least 32 characters').optional(),
    ),
    TELEGRAM_BOT_TOKEN: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^\d+:[\w-]+$/, 'must look like 123456:ABC-DEF… (from @BotFather)')
        .optional(),
    ),
    TELEGRAM_API_ROOT: z.preprocess(emptyAsUndefined, httpUrl.default('https://api.telegram.org')),
    SUPPORT_GROUP_CHAT_ID: z.preprocess(
      emptyAsUndefined,
      z.coerce
        .number(notANumber)
        .int('must be a whole number')
        .negative('must be a group chat id (negative number)')
        .optional(),
    ),
    BOT_MODE: z.preprocess(emptyAsUndefined, z.enum(['polling', 'webhook']).default('polling')),
    WEBHOOK_SECRET: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^[\w-]{16,256}$/, 'must be 16–256 characters of A-Z, a-z, 0-9, _ or -')
        .optional(),
    ),
    TELEGRAM_THROTTLE: z.preprocess(emptyAsUndefined, z.enum(['true', 'false']).default('true')),
    TICKET_THREADS: z.preprocess(emptyAsUndefined, z.enum(TICKET_THREAD_MODES).optional()),
    ADMIN_TOKEN: z.preprocess(
      emptyAsUndefined,
      z.string().min(16, 'must be at least 16 characters').optional(),
    ),
    // Visitor rate limits and caps shared in Redis (else in PostgreSQL with DATABASE_URL, else in memory).
    REDIS_URL: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^rediss?:\/\/[^/?#]/, 'must be a redis:// or rediss:// URL')
        .refine((value) => URL.canParse(value), 'must be a redis:// or rediss:// URL')
        .optional(),
    ),
    METRICS_TOKEN: z.preprocess(
      emptyAsUndefined,
      z.string().min(16, 'must be at least 16 characters').optional(),
    ),
    // Verifies Switchboard.identify(): hash = hex HMAC-SHA256 of the visitor's id with this secret.
    IDENTITY_SECRET: z.preprocess(
      emptyAsUndefined,
      z.string().min(32, 'must be at least 32 characters').optional(),
    ),
    WIDGET_ORIGINS: optionalString,
    MINIAPP_URL: z.preprocess(emptyAsUndefined, httpUrl.optional()),
    MINIAPP_AUTH_MAX_AGE_SECONDS: positiveInt(3600),
    AFTER_HOURS_MINUTES: z.preprocess(
      emptyAsUndefined,
      z.coerce.number(notANumber).positive('must be greater than 0').default(5),
    ),
    // Visitor messages, a token bucket per session: bursts of up to RATE_LIMIT_MESSAGES, refilled at
    // RATE_LIMIT_MESSAGES per RATE_LIMIT_WINDOW_SECONDS (defaults: a burst of 10, then one every 2 s).
    RATE_LIMIT_MESSAGES: positiveInt(10),
    RATE_LIMIT_WINDOW_SECONDS: positiveInt(20),
    // How long after sending a visitor may edit or delete a message (fractions allowed).
    MESSAGE_EDIT_WINDOW_MINUTES: z.preprocess(
      emptyAsUndefined,
      z.coerce.number(notANumber).positive('must be greater than 0').default(15),
    ),
    RATE_LIMIT_SESSIONS: positiveInt(30),
    RATE_LIMIT_SESSIONS_WINDOW_SECONDS: positiveInt(600),
    TRUST_PROXY: z.preprocess(emptyAsUndefined, z.enum(['true', 'false']).default('false')),
    TRUST_PROXY_HOPS: positiveInt(1),
    EVENT_STREAMS_PER_SESSION: positiveInt(5),
    EVENT_STREAMS_PER_IP: positiveInt(100),
    UPLOADS_PER_SESSION: positiveInt(2),
    UPLOADS_PER_IP: positiveInt(10),
    MEDIA_STORE: z.preprocess(emptyAsUndefined, z.enum(['files', 'postgres', 's3']).optional()),
    S3_BUCKET: z.preprocess(emptyAsUndefined, z.string().optional()),
    S3_ENDPOINT: z.preprocess(emptyAsUndefined, httpUrl.optional()),
    S3_REGION: z.preprocess(emptyAsUndefined, z.string().default('us-east-1')),
    S3_ACCESS_KEY_ID: z.preprocess(emptyAsUndefined, z.string().optional()),
    S3_SECRET_ACCESS_KEY: z.preprocess(emptyAsUndefined, z.string().optional()),
    MEDIA_QUOTA_MB_PER_SESSION: positiveInt(50),
    MEDIA_RETENTION_DAYS: nonNegativeNumber(90),
    RETENTION_DAYS: nonNegativeNumber(0),
    HTTP_HEADERS_TIMEOUT_SECONDS: positiveInt(20),
    HTTP_REQUEST_TIMEOUT_SECONDS: positiveInt(120),
    HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: positiveInt(5),
    DELIVERY_DELAY_ALERT_SECONDS: nonNegativeNumber(120),
    READINESS_TELEGRAM_GRACE_SECONDS: nonNegativeNumber(60),
    // Presence (issue 13 §1–2): not seen this long → away; the skills each category needs; the Mini App's
    // short name for direct links (unset: the bot's main Mini App, t.me/<bot>?startapp=…).
    AGENT_AWAY_AFTER_MINUTES: z.preprocess(
      emptyAsUndefined,
      z.coerce.number(notANumber).positive('must be greater than 0').default(15),
    ),
    CATEGORY_SKILLS: z.preprocess(emptyAsUndefined, z.string().default('')).transform((value, ctx) => {
      const parsed = parseCategorySkills(value);
      if ('map' in parsed) return parsed.map;
      ctx.addIssue({ code: 'custom', message: parsed.problem });
      return z.NEVER;
    }),
    MINIAPP_SHORT_NAME: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^[A-Za-z0-9_]{3,30}$/, 'must be the short name from @BotFather (3–30 of A-Z, a-z, 0-9, _)')
        .optional(),
    ),
    // Auto-assignment (issue 13 §2): offers to the least-loaded online agent with the skill, who accepts
    // or passes within OFFER_SECONDS; an agent is offered no more while holding MAX_OPEN_TICKETS_PER_AGENT.
    ASSIGNMENT: z.preprocess(emptyAsUndefined, z.enum(['manual', 'auto']).default('manual')),
    MAX_OPEN_TICKETS_PER_AGENT: positiveInt(5),
    OFFER_SECONDS: positiveInt(60),
    CATEGORIES: z
      .preprocess(emptyAsUndefined, z.string().default('General,Billing,Technical'))
      .transform((value, ctx) => {
        const parsed = parseCategories(value);
        if ('options' in parsed) return parsed.options;
        ctx.addIssue({ code: 'custom', message: parsed.problem });
        return z.NEVER;
      }),
    LOG_LEVEL: z.preprocess(
      emptyAsUndefined,
      z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    ),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.JWT_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'is required when NODE_ENV=production' });
    }
    if (env.BOT_MODE === 'webhook' && env.TELEGRAM_BOT_TOKEN && !env.WEBHOOK_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['WEBHOOK_SECRET'],
        message: 'is required when BOT_MODE=webhook',
      });
    }
    if (env.NODE_ENV === 'production' && !env.WIDGET_ORIGINS) {
      ctx.addIssue({
        code: 'custom',
        path: ['WIDGET_ORIGINS'],
        message: 'is required when NODE_ENV=production (comma-separated origins, or * to allow any)',
      });
    }
    // An S3 store needs its bucket and both keys (MEDIA_STORE=s3, or S3_BUCKET set without MEDIA_STORE).
    if (env.MEDIA_STORE === 's3' || (env.S3_BUCKET && !env.MEDIA_STORE)) {
      for (const name of ['S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const) {
        if (!env[name])
          ctx.addIssue({ code: 'custom', path: [name], message: 'is required when MEDIA_STORE=s3' });
      }
    }
    if (env.HTTP_HEADERS_TIMEOUT_SECONDS > env.HTTP_REQUEST_TIMEOUT_SECONDS) {
      ctx.addIssue({
        code: 'custom',
        path: ['HTTP_HEADERS_TIMEOUT_SECONDS'],
        message: 'must not be longer than HTTP_REQUEST_TIMEOUT_SECONDS',
      });
    }
  })
  .transform((env) => {
    const publicUrl = (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, '');
    return {
      nodeEnv: env.NODE_ENV,
      isProduction: env.NODE_ENV === 'production',
      port: env.PORT,
      publicUrl,
      dataDir: env.DATA_DIR,
      databaseUrl: env.DATABASE_URL,
      /** Where visitor limits are shared when set (limits/create-limit-store.ts). */
      redisUrl: env.REDIS_URL,
      jwtSecret: env.JWT_SECRET,
      telegram: {
        botToken: env.TELEGRAM_BOT_TOKEN,
        apiRoot: env.TELEGRAM_API_ROOT.replace(/\/+$/, ''),
        supportGroupChatId: env.SUPPORT_GROUP_CHAT_ID,
        mode: env.BOT_MODE,
        webhookSecret: env.WEBHOOK_SECRET,
        throttle: env.TELEGRAM_THROTTLE === 'true',
        /** Where tickets' conversations live; unset: private topics when the bot has them, else single. */
        ticketThreads: env.TICKET_THREADS,
      },
      adminToken: env.ADMIN_TOKEN,
      /** Bearer token for GET /metrics (Prometheus); unset → no metrics endpoint. */
      metricsToken: env.METRICS_TOKEN,
      /** Verifies identified visitors (`Switchboard.identify`); unset → identification is refused. */
      identitySecret: env.IDENTITY_SECRET,
      widgetOrigins: splitList(env.WIDGET_ORIGINS ?? '*'),
      miniappUrl: env.MINIAPP_URL ?? `${publicUrl}/miniapp/`,
      /** How old the Mini App's initData may be (its auth_date) before the agent API refuses it. */
      miniappAuthMaxAgeSeconds: env.MINIAPP_AUTH_MAX_AGE_SECONDS,
      afterHoursMinutes: env.AFTER_HOURS_MINUTES,
      /** How long after sending a visitor may edit or delete a message. */
      messageEditWindowMs: Math.round(env.MESSAGE_EDIT_WINDOW_MINUTES * 60_000),
      rateLimit: {
        messages: env.RATE_LIMIT_MESSAGES,
        windowSeconds: env.RATE_LIMIT_WINDOW_SECONDS,
        sessions: env.RATE_LIMIT_SESSIONS,
        sessionsWindowSeconds: env.RATE_LIMIT_SESSIONS_WINDOW_SECONDS,
      },
      trustProxy: env.TRUST_PROXY === 'true',
      /** Behind TRUST_PROXY: how many proxies append to X-Forwarded-For; the client is the entry they saw. */
      trustProxyHops: env.TRUST_PROXY_HOPS,
      /** Open event streams: beyond `perSession` the oldest of that session (or agent) ends; beyond `perIp`, 429. */
      eventStreams: { perSession: env.EVENT_STREAMS_PER_SESSION, perIp: env.EVENT_STREAMS_PER_IP },
      /** Uploads in progress at once (beyond: 429). */
      uploads: { perSession: env.UPLOADS_PER_SESSION, perIp: env.UPLOADS_PER_IP },
      media: {
        /** Where files are kept; unset: S3 with S3_BUCKET, else the database on PostgreSQL, else DATA_DIR/media. */
        store: env.MEDIA_STORE ?? (env.S3_BUCKET ? ('s3' as const) : undefined),
        /** The bucket of MEDIA_STORE=s3 (path-style addressing; AWS's regional endpoint by default). */
        s3:
          env.S3_BUCKET && env.S3_ACCESS_KEY_ID && env.S3_SECRET_ACCESS_KEY
            ? {
                bucket: env.S3_BUCKET,
                region: env.S3_REGION,
                endpoint: (env.S3_ENDPOINT ?? `https://s3.${env.S3_REGION}.amazonaws.com`).replace(
                  /\/+$/,
                  '',
                ),
                accessKeyId: env.S3_ACCESS_KEY_ID,
                secretAccessKey: env.S3_SECRET_ACCESS_KEY,
              }
            : undefined,
        quotaBytesPerSession: env.MEDIA_QUOTA_MB_PER_SESSION * 1024 * 1024,
        /** Files of tickets closed longer ago are removed; 0 keeps them forever. */
        retentionDays: env.MEDIA_RETENTION_DAYS,
      },
      /**
       * Conversations (sessions) whose tickets were all closed longer ago are erased with their messages
       * and files (hourly sweep); 0 keeps them forever.
       */
      retentionDays: env.RETENTION_DAYS,
      http: {
        headersTimeoutMs: env.HTTP_HEADERS_TIMEOUT_SECONDS * 1000,
        requestTimeoutMs: env.HTTP_REQUEST_TIMEOUT_SECONDS * 1000,
        keepAliveTimeoutMs: env.HTTP_KEEP_ALIVE_TIMEOUT_SECONDS * 1000,
      },
      readiness: {
        /** A Telegram delivery waiting longer than this: agents see a banner and /readyz answers 503. */
        deliveryDelayAlertSeconds: env.DELIVERY_DELAY_ALERT_SECONDS,
        /** The bot may be connecting this long (start-up, a blip) before /readyz answers 503. */
        telegramGraceSeconds: env.READINESS_TELEGRAM_GRACE_SECONDS,
      },
      /** The categories' keys: what tickets store and a posted `category` must match. */
      categories: env.CATEGORIES.map((category) => category.key),
      /** The same, with their labels per language (GET /api/config). */
      categoryOptions: env.CATEGORIES,
      presence: {
        awayAfterMs: Math.round(env.AGENT_AWAY_AFTER_MINUTES * 60_000),
        categorySkills: env.CATEGORY_SKILLS,
        miniappShortName: env.MINIAPP_SHORT_NAME,
      },
      assignment: {
        mode: env.ASSIGNMENT,
        capacity: env.MAX_OPEN_TICKETS_PER_AGENT,
        offerSeconds: env.OFFER_SECONDS,
      },
      logLevel: env.LOG_LEVEL,
    };
  });

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/**
 * Parses the environment. A wrong or missing value throws a ConfigError whose message is one
 * readable line naming the variable; the value itself is never echoed (it may be a secret).
 */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = configSchema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (issue) => `${issue.path.join('.') || 'environment'} ${issue.message}`,
  );
  throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
}
