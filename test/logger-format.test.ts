import { Writable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { createLogger, prettyStream, wantsPrettyLogs } from '../app/logger.ts';
import { describeStartFailure } from '../app/start-failure.ts';

const BOT_TOKEN = '123456789:AAEhBOweik6ad9r_QXMENQjcrGbqCr4K-ra';

function capture() {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += chunk;
      done();
    },
  });
  return { stream, text: () => text };
}

describe('log format', () => {
  it('is human-readable only for a terminal in development', () => {
    expect(wantsPrettyLogs({ isTTY: true, nodeEnv: 'development' })).toBe(true);
    expect(wantsPrettyLogs({ isTTY: false, nodeEnv: 'development' })).toBe(false);
    expect(wantsPrettyLogs({ isTTY: undefined, nodeEnv: 'development' })).toBe(false);
    expect(wantsPrettyLogs({ isTTY: true, nodeEnv: 'production' })).toBe(false);
    expect(wantsPrettyLogs({ isTTY: true, nodeEnv: 'test' })).toBe(false);
  });

  it('pretty lines still redact secrets and mask bot tokens', async () => {
    const out = capture();
    const logger = createLogger({ level: 'info', pretty: true, destination: out.stream });
    logger.info(
      { config: { jwtSecret: 'jwt-secret-value' } },
      `calling https://api.telegram.org/bot${BOT_TOKEN}/getMe`,
    );
    await vi.waitFor(() => expect(out.text()).toContain('calling'));
    expect(out.text()).not.toMatch(/^\{/);
    expect(out.text()).toContain('[bot-token]');
    expect(out.text()).toContain('[redacted]');
    expect(out.text()).not.toContain('jwt-secret-value');
    expect(out.text()).not.toContain(BOT_TOKEN);
  });

  it('falls back to JSON when pino-pretty is not installed (a production install)', () => {
    const missing = () => {
      throw Object.assign(new Error("Cannot find module 'pino-pretty'"), { code: 'MODULE_NOT_FOUND' });
    };
    expect(prettyStream(1, missing)).toBeUndefined();
  });
});

describe('start-up failure lines', () => {
  it('never show the password of a connection string, nor a bot token', () => {
    const line = describeStartFailure(
      new Error(`cannot use postgres://support:hunter22@db/support with ${BOT_TOKEN}`),
    );
    expect(line).toContain('postgres://support:***@db/support');
    expect(line).not.toContain('hunter22');
    expect(line).not.toContain(BOT_TOKEN);
  });

  it('an unreachable server that does not answer within the connection timeout', () => {
    const line = describeStartFailure(new Error('timeout exceeded when trying to connect'), {
      databaseUrl: 'postgres://support@10.0.0.9/support',
    });
    expect(line).toMatch(
      /^Cannot reach the PostgreSQL server at 10\.0\.0\.9:5432 \(DATABASE_URL\): no answer in time/,
    );
  });
});
