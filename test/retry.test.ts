import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../app/logger.ts';
import { retryInBackground } from '../app/retry.ts';
import { createTelegramStatus } from '../app/telegram-status.ts';

/** A logger whose lines (parsed pino JSON) land in `lines`. */
function capturedLogger() {
  const lines: { level: number; msg: string; err?: unknown }[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: createLogger({ level: 'info', destination }), lines };
}

/** An attempt that fails with each of `reasons` in turn, then succeeds with `result`. */
function failingWith<T>(reasons: string[], result: T) {
  let calls = 0;
  return async () => {
    const reason = reasons[calls++];
    if (reason !== undefined) throw new Error(reason);
    return result;
  };
}

describe('retryInBackground', () => {
  it('logs the first failures with their backoff, then only changes of reason, then the success', async () => {
    const { logger, lines } = capturedLogger();
    const status = createTelegramStatus();
    const reasons = [...Array(8).fill('ECONNREFUSED'), ...Array(4).fill('ENOTFOUND')];
    const retry = retryInBackground(
      'Telegram: connecting to http://x',
      failingWith(reasons, { username: 'b' }),
      {
        logger,
        explain: (error) => ({ reason: (error as Error).message }),
        observer: status.observer,
        firstDelayMs: 1,
        maxDelayMs: 4,
      },
    );
    const started = status.current().since;
    await retry.done;
    expect(lines.map((line) => line.msg)).toEqual([
      'Telegram: connecting to http://x failed (ECONNREFUSED); next try in 0 s',
      'Telegram: connecting to http://x failed (ECONNREFUSED); next try in 0 s',
      'Telegram: connecting to http://x failed (ECONNREFUSED); next try in 0 s',
      'Telegram: connecting to http://x failed (ENOTFOUND); next try in 0 s',
      'Telegram: connecting to http://x succeeded after 12 failed attempts',
    ]);
    expect(status.current()).toMatchObject({ state: 'connected', username: 'b' });
    expect(status.current().since.getTime()).toBeGreaterThanOrEqual(started.getTime());
  });

  it('says "still failing since …" every quiet interval while the reason stays the same', async () => {
    const { logger, lines } = capturedLogger();
    const retry = retryInBackground('Job', failingWith(Array(6).fill('down'), true), {
      logger,
      explain: (error) => ({ reason: (error as Error).message }),
      firstDelayMs: 1,
      maxDelayMs: 1,
      quietLogIntervalMs: 0,
    });
    await eventually(() => lines.some((line) => line.msg === 'Job succeeded after 6 failed attempts'));
    retry.cancel();
    expect(lines.map((line) => line.msg.replace(/since \S+/, 'since T'))).toEqual([
      'Job failed (down); next try in 0 s',
      'Job failed (down); next try in 0 s',
      'Job failed (down); next try in 0 s',
      'Job still failing since T (down; 4 attempts); next try in 0 s',
      'Job still failing since T (down; 5 attempts); next try in 0 s',
      'Job still failing since T (down; 6 attempts); next try in 0 s',
      'Job succeeded after 6 failed attempts',
    ]);
  });

  it('stops at a fatal failure with its sentence and no stack; unexpected errors get their stack once', async () => {
    const { logger, lines } = capturedLogger();
    const status = createTelegramStatus();
    const retry = retryInBackground('Telegram', failingWith(['bug', 'bug', 'refused'], { username: 'b' }), {
      logger,
      explain: (error) => {
        const reason = (error as Error).message;
        return reason === 'refused'
          ? { reason: '401 Unauthorized', fatal: 'Telegram refused TELEGRAM_BOT_TOKEN (401 Unauthorized)' }
          : { reason, unexpected: true };
      },
      observer: status.observer,
      firstDelayMs: 1,
    });
    await eventually(() => status.current().state === 'refused');
    retry.cancel();
    expect(lines.map((line) => [line.msg, Boolean(line.err)])).toEqual([
      ['Telegram failed (bug); next try in 0 s', true],
      ['Telegram failed (bug); next try in 0 s', false],
      ['Telegram refused TELEGRAM_BOT_TOKEN (401 Unauthorized)', false],
    ]);
    expect(status.current()).toMatchObject({ state: 'refused', reason: '401 Unauthorized' });
  });
});

async function eventually(check: () => boolean, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
