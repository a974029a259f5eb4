import {
  createConcurrentSink,
  createRunner,
  createSource,
  createUpdateFetcher,
  type RunnerHandle,
  type UpdateSupplier,
} from '@grammyjs/runner';
import { type Bot, BotError, GrammyError, HttpError } from 'grammy';
import type { Update } from 'grammy/types';
import type { Logger } from 'pino';
import { isDatabaseUnavailable } from '../db/database-errors.ts';
import type { BotContext } from './context.ts';
import type { ProcessedUpdates } from './storage/processed-updates.ts';
import { FileDownloadUnavailable } from './telegram-files.ts';

/** The runner's stop signal (from an AbortController polyfill, so not for Node's own APIs). */
type StopSignal = Parameters<UpdateSupplier<Update>['supply']>[1];

/** How a failed update is tried again: pauses double from `initialDelayMs` up to `maxDelayMs`. */
export type UpdateRetry = {
  initialDelayMs: number;
  maxDelayMs: number;
  /**
   * Attempts of an update that fails for another reason than a passing fault (a bug): then it is left
   * stored, not handled, for the next start, and the user's later updates go on.
   */
  attemptsOnOtherErrors: number;
};

const DEFAULT_RETRY: UpdateRetry = { initialDelayMs: 1_000, maxDelayMs: 60_000, attemptsOnOtherErrors: 5 };

/**
 * A fault that passes by itself: the database cannot be reached right now, Telegram answers 5xx or 429
 * (after auto-retry's own attempts), or the network to it failed. Waiting and trying again succeeds.
 */
export function isPassingFault(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth += 1) {
    if (current instanceof HttpError || current instanceof FileDownloadUnavailable) return true;
    if (current instanceof GrammyError) return current.error_code === 429 || current.error_code >= 500;
    current = current instanceof BotError ? current.error : current.cause;
  }
  return isDatabaseUnavailable(error);
}

/**
 * The user an update comes from (the key of `sequentialize` in create-bot.ts, `ctx.from.id`): the
 * `from` of its message, callback query or chat-member change, the `user` of a reaction.
 */
function userOf(update: Update): number | undefined {
  for (const [key, value] of Object.entries(update)) {
    if (key === 'update_id' || typeof value !== 'object' || value === null) continue;
    // A reaction names its user `user`, everything else `from`.
    const { from, user } = value as { from?: { id?: unknown }; user?: { id?: unknown } };
    if (typeof from?.id === 'number') return from.id;
    if (typeof user?.id === 'number') return user.id;
  }
  return undefined;
}

/**
 * Long polling (`@grammyjs/runner`, updates handled concurrently) that loses no update. The runner tells
 * Telegram that a batch arrived with its next getUpdates, which it sends while the batch is still being
 * handled: after a crash Telegram would not send those updates again. So each batch is stored before
 * that next call, and the stored updates not handled yet are handled at start.
 *
 * An update that fails for a passing fault (database or Telegram unavailable) is tried again, with
 * pauses growing to `retry.maxDelayMs`, for as long as polling runs; one that fails otherwise (a bug) a
 * few times, then it stays stored, not handled, until the next start. A user's updates are handled in
 * the order they came: one that waits for a retry holds back that user's later ones (other users' go on).
 */
export function startPolling({
  bot,
  updates,
  allowedUpdates,
  logger,
  retry = DEFAULT_RETRY,
}: {
  bot: Bot<BotContext>;
  updates: ProcessedUpdates;
  allowedUpdates: readonly Exclude<keyof Update, 'update_id'>[];
  logger: Logger;
  retry?: UpdateRetry;
}) {
  const fetchUpdates = createUpdateFetcher(bot, { fetch: { allowed_updates: allowedUpdates } });
  let stopped = false;
  /** Pauses before a retry; each entry ends its pause early (at stop). */
  const pauses = new Set<() => void>();
  /** Updates being handled or waiting (for a retry, or behind the same user's earlier update): one copy at a time. */
  const inProgress = new Set<number>();
  /** Per user, the end of the last update queued: the next one of that user starts after it. */
  const queues = new Map<number, Promise<void>>();

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const end = () => {
        clearTimeout(timer);
        pauses.delete(end);
        resolve();
      };
      const timer = setTimeout(end, ms);
      pauses.add(end);
    });

  /** Until it succeeds (the database may be briefly unavailable) or polling stops. */
  const store = async (batch: Update[], signal: StopSignal) => {
    for (let delay = 500; ; delay = Math.min(delay * 2, 30_000)) {
      try {
        return await updates.receive(batch);
      } catch (error) {
        if (signal.aborted) throw error;
        logger.error({ err: error }, 'could not store fetched Telegram updates; trying again');
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          const stop = () => {
            clearTimeout(timer);
            resolve();
          };
          signal.addEventListener('abort', stop, { once: true });
        });
      }
    }
  };

  /** Handles one update, trying again after failures as described above; never rejects. */
  const handleWithRetries = async (update: Update) => {
    const updateId = update.update_id;
    let otherFailures = 0;
    for (let failures = 1; !stopped; failures += 1) {
      try {
        await bot.handleUpdate(update);
        return;
      } catch (error) {
        if (stopped) return;
        const err = error instanceof BotError ? error.error : error;
        const delay = Math.min(retry.initialDelayMs * 2 ** Math.min(failures - 1, 30), retry.maxDelayMs);
        if (isPassingFault(err)) {
          logger.warn({ err, updateId, failures, retryInMs: delay }, 'update failed; trying again');
        } else {
          otherFailures += 1;
          if (otherFailures >= retry.attemptsOnOtherErrors) {
            logger.error(
              { err, updateId, failures },
              'update failed again; it stays stored and is tried once more at the next start',
            );
            return;
          }
          logger.error({ err, updateId, failures, retryInMs: delay }, 'update failed; trying again');
        }
        await pause(delay);
      }
    }
  };

  /** Queues the update behind the same user's earlier ones; settles when it is done (or given up). */
  const handle = (update: Update): Promise<void> => {
    const updateId = update.update_id;
    if (stopped || inProgress.has(updateId)) return Promise.resolve();
    inProgress.add(updateId);
    const user = userOf(update);
    const before = user === undefined ? undefined : queues.get(user);
    const done = (async () => {
      await before;
      if (!stopped) await handleWithRetries(update);
    })()
      .catch((error: unknown) => logger.error({ err: error, updateId }, 'update handling failed'))
      .finally(() => {
        inProgress.delete(updateId);
        if (user !== undefined && queues.get(user) === done) queues.delete(user);
      });
    if (user !== undefined) queues.set(user, done);
    return done;
  };

  const source = createSource({
    async supply(batchSize, signal) {
      const batch = await fetchUpdates(batchSize, signal);
      await store(batch, signal);
      return batch;
    },
  });
  // `handle` never rejects. It settles when the update is done, so updates waiting for a retry count
  // against the sink's concurrency: many of them slow down fetching rather than pile up in memory.
  const sink = createConcurrentSink<Update>({ consume: handle }, async () => {});
  const runner: RunnerHandle = createRunner(source, sink);

  return {
    async start() {
      const interrupted = await updates.unhandled();
      if (interrupted.length)
        logger.info({ count: interrupted.length }, 'handling updates a restart interrupted');
      // Queued before the runner fetches anything, so each user's older updates come first.
      for (const update of interrupted) void handle(update);
      runner.start();
    },

    isRunning: () => runner.isRunning(),

    /**
     * Settles when polling ends: by `stop`, or by itself (rejects: Telegram answered 409 Conflict, another
     * poller of this bot, or 401; or getUpdates kept failing for the runner's 15 hours).
     */
    ended: (): Promise<void> => runner.task() ?? Promise.resolve(),

    /** Stops fetching; pending retries end without handling (their updates stay stored for the next start). */
    async stop() {
      stopped = true;
      for (const end of pauses) end();
      if (runner.isRunning()) await runner.stop();
    },
  };
}
