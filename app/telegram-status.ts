import { GrammyError, HttpError } from 'grammy';
import { isTokenRefusal, telegramFailureReason } from '../bot/telegram-probe.ts';
import type { FailureExplanation, RetryObserver } from './retry.ts';

/**
 * Where the bot stands with Telegram, as /readyz reports it. `since` is when this state began (for
 * `connecting`, the start or the first failure of the current streak, not the latest attempt).
 */
export type TelegramConnection =
  | { state: 'connecting'; since: Date; reason: string | null; nextRetryAt: Date | null; attempts: number }
  | { state: 'connected'; since: Date; username: string }
  | { state: 'refused'; since: Date; reason: string };

export type TelegramStatus = ReturnType<typeof createTelegramStatus>;

/**
 * The bot's connection state, driven by the background connect loop (app/retry.ts) through `observer`.
 * Starts as `connecting` with no reason yet (the first attempt is under way).
 */
export function createTelegramStatus(now: () => Date = () => new Date()) {
  let current: TelegramConnection = {
    state: 'connecting',
    since: now(),
    reason: null,
    nextRetryAt: null,
    attempts: 0,
  };
  const observer: RetryObserver<{ username: string }> = {
    failed(reason, nextAttemptAt) {
      current = {
        state: 'connecting',
        since: current.state === 'connecting' ? current.since : now(),
        reason,
        nextRetryAt: nextAttemptAt,
        attempts: (current.state === 'connecting' ? current.attempts : 0) + 1,
      };
    },
    succeeded({ username }) {
      current = { state: 'connected', since: now(), username };
    },
    gaveUp(reason) {
      current = { state: 'refused', since: now(), reason };
    },
  };
  return {
    current: (): TelegramConnection => current,
    observer,
  };
}

/**
 * What a failed connect attempt means for the retry loop: a refused token ends it with advice and no
 * stack (the operator fixes the token); network errors and Telegram's 5xx are retried with their reason;
 * anything else (a database error during start-up) is retried too, with its stack logged once.
 */
export function explainTelegramConnectFailure(error: unknown): FailureExplanation {
  const reason = telegramFailureReason(error);
  if (isTokenRefusal(error)) {
    return {
      reason,
      fatal: `Telegram refused TELEGRAM_BOT_TOKEN (${reason}): check the token from @BotFather`,
    };
  }
  return { reason, unexpected: !(error instanceof GrammyError || error instanceof HttpError) };
}
