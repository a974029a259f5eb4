import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../app/config.ts';
import { resolveJwtSecret } from '../app/jwt-secret.ts';

const fail = (env: Record<string, string>) => {
  try {
    parseConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('configuration', () => {
  it('has sensible defaults', () => {
    const config = parseConfig({});
    expect(config).toMatchObject({
      port: 3000,
      publicUrl: 'http://localhost:3000',
      dataDir: './data',
      databaseUrl: undefined,
      telegram: { apiRoot: 'https://api.telegram.org', mode: 'polling', botToken: undefined },
      widgetOrigins: ['*'],
      miniappUrl: 'http://localhost:3000/miniapp/',
      afterHoursMinutes: 5,
      rateLimit: { messages: 10, windowSeconds: 20 },
      categories: ['General', 'Billing', 'Technical'],
    });
  });

  it('reads every variable', () => {
    const config = parseConfig({
      PORT: '8080',
      PUBLIC_URL: 'https://support.example/',
      DATABASE_URL: 'postgres://u@db:5432/app',
      TELEGRAM_BOT_TOKEN: '123456:ABCdef_ghi-jkl',
      SUPPORT_GROUP_CHAT_ID: '-1001234567890',
      BOT_MODE: 'webhook',
      WEBHOOK_SECRET: 'a-long-webhook-secret',
      WIDGET_ORIGINS: 'https://a.example, https://b.example',
      CATEGORIES: 'Sales, Support',
      AFTER_HOURS_MINUTES: '15',
    });
    expect(config).toMatchObject({
      port: 8080,
      publicUrl: 'https://support.example',
      miniappUrl: 'https://support.example/miniapp/',
      telegram: { supportGroupChatId: -1001234567890, mode: 'webhook' },
      widgetOrigins: ['https://a.example', 'https://b.example'],
      categories: ['Sales', 'Support'],
      afterHoursMinutes: 15,
    });
  });

  it('names the variable in one readable line, without echoing its value', () => {
    expect(fail({ PORT: 'eighty' })).toMatch(/^Invalid configuration: PORT /);
    expect(fail({ BOT_MODE: 'carrier-pigeon' })).toMatch(/BOT_MODE/);
    expect(fail({ DATABASE_URL: 'mysql://x' })).toMatch(/DATABASE_URL must be a postgres/);
    const message = fail({ TELEGRAM_BOT_TOKEN: 'supersecretbutwrongshape' });
    expect(message).toMatch(/TELEGRAM_BOT_TOKEN/);
    expect(message).not.toContain('supersecretbutwrongshape');
    expect(message.split('\n')).toHaveLength(1);
  });

  it('takes REDIS_URL as a redis:// or rediss:// URL, without echoing a wrong one', () => {
    expect(parseConfig({}).redisUrl).toBeUndefined();
    expect(parseConfig({ REDIS_URL: '' }).redisUrl).toBeUndefined();
    expect(parseConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).redisUrl).toBe('redis://127.0.0.1:6379');
    expect(parseConfig({ REDIS_URL: 'rediss://:pw@cache.example:6380/2' }).redisUrl).toBe(
      'rediss://:pw@cache.example:6380/2',
    );
    for (const wrong of ['http://cache.example', 'redis://', 'cache.example:6379', 'redis://a b']) {
      const message = fail({ REDIS_URL: wrong });
      expect(message).toMatch(/REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/);
      expect(message).not.toContain('cache.example');
    }
  });

  it('requires JWT_SECRET and WIDGET_ORIGINS in production, WEBHOOK_SECRET in webhook mode', () => {
    const message = fail({ NODE_ENV: 'production', WIDGET_ORIGINS: 'https://a.example' });
    expect(message).toMatch(/JWT_SECRET is required when NODE_ENV=production/);
    expect(fail({ TELEGRAM_BOT_TOKEN: '1:abc', BOT_MODE: 'webhook' })).toMatch(/WEBHOOK_SECRET is required/);
    expect(() =>
      parseConfig({
        NODE_ENV: 'production',
        JWT_SECRET: 'x'.repeat(32),
        WIDGET_ORIGINS: 'https://a.example',
      }),
    ).not.toThrow();
  });

  it('bounds what a visitor can hold open: defaults, overrides, and timeouts that fit together', () => {
    expect(parseConfig({})).toMatchObject({
      trustProxy: false,
      trustProxyHops: 1,
      eventStreams: { perSession: 5, perIp: 100 },
      uploads: { perSession: 2, perIp: 10 },
      media: { quotaBytesPerSession: 50 * 1024 * 1024, retentionDays: 90 },
      http: { headersTimeoutMs: 20_000, requestTimeoutMs: 120_000, keepAliveTimeoutMs: 5000 },
    });
    expect(
      parseConfig({
        TRUST_PROXY: 'true',
        TRUST_PROXY_HOPS: '2',
        EVENT_STREAMS_PER_SESSION: '3',
        EVENT_STREAMS_PER_IP: '50',
        UPLOADS_PER_SESSION: '1',
        UPLOADS_PER_IP: '4',
        MEDIA_QUOTA_MB_PER_SESSION: '20',
        MEDIA_RETENTION_DAYS: '0',
        HTTP_HEADERS_TIMEOUT_SECONDS: '10',
        HTTP_REQUEST_TIMEOUT_SECONDS: '30',
        HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: '65',
      }),
    ).toMatchObject({
      trustProxy: true,
      trustProxyHops: 2,
      eventStreams: { perSession: 3, perIp: 50 },
      uploads: { perSession: 1, perIp: 4 },
      media: { quotaBytesPerSession: 20 * 1024 * 1024, retentionDays: 0 },
      http: { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 65_000 },
    });
    expect(fail({ EVENT_STREAMS_PER_SESSION: '0' })).toMatch(/EVENT_STREAMS_PER_SESSION/);
    expect(fail({ MEDIA_RETENTION_DAYS: '-1' })).toMatch(/MEDIA_RETENTION_DAYS/);
    expect(fail({ HTTP_HEADERS_TIMEOUT_SECONDS: '60', HTTP_REQUEST_TIMEOUT_SECONDS: '30' })).toMatch(
      /HTTP_HEADERS_TIMEOUT_SECONDS must not be longer than HTTP_REQUEST_TIMEOUT_SECONDS/,
    );
  });

  it('generates a development JWT secret once and keeps it in DATA_DIR', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-secret-'));
    try {
      const first = resolveJwtSecret({ dataDir });
      expect(first.length).toBeGreaterThanOrEqual(32);
      expect(resolveJwtSecret({ dataDir })).toBe(first);
      expect(readFileSync(join(dataDir, 'jwt-secret'), 'utf8').trim()).toBe(first);
      expect(statSync(join(dataDir, 'jwt-secret')).mode & 0o077).toBe(0);
      expect(resolveJwtSecret({ dataDir, jwtSecret: 'configured' })).toBe('configured');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
