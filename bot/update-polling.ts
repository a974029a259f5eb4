import {
  createConcurrentSink,
  createRunner,
  createSource,
  createUpdateFetcher,
  type RunnerHandle,
  type UpdateSupplier,
} from '@grammyjs/runner';
import { type Bot, BotError } from 'grammy';
import type { Update } from 'grammy/types';
import type { Logger } from 'pino';
import type { BotContext } from './context.ts';
import type { ProcessedUpdates } from './storage/processed-updates.ts';

/** The runner's stop signal (from an AbortController polyfill, so not for Node's own APIs). */
type StopSignal = Parameters<UpdateSupplier<Update>['supply']>[1];

/** Pauses before handling a failed update again; after the last one it waits for the next start. */
const RETRY_DELAYS_MS = [1_000, 5_000, 30_000, 120_000, 300_000];

/**
 * Long polling (`@grammyjs/runner`, updates handled concurrently) that loses no update. The runner tells
 * Telegram that a batch arrived with its next getUpdates, which it sends while the batch is still being
 * handled: after a crash Telegram would not send those updates again. So each batch is stored before
 * that next call, and the stored updates not handled yet are handled at start. An update whose handling
 * failed (Telegram or the database briefly unavailable) is tried again after a pause.
 */
export function startPolling({
  bot,
  updates,
  allowedUpdates,
  logger,
}: {
  bot: Bot<BotContext>;
  updates: ProcessedUpdates;
  allowedUpdates: readonly Exclude<keyof Update, 'update_id'>[];
  logger: Logger;
}) {
  const fetchUpdates = createUpdateFetcher(bot, { fetch: { allowed_updates: allowedUpdates } });
  const retries = new Set<NodeJS.Timeout>();
  /** Updates being handled or waiting for a retry: one copy at a time. */
  const inProgress = new Set<number>();

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

  const handle = async (update: Update, attempt = 0): Promise<void> => {
    const updateId = update.update_id;
    if (attempt === 0 && inProgress.has(updateId)) return;
    inProgress.add(updateId);
    try {
      await bot.handleUpdate(update);
      inProgress.delete(updateId);
    } catch (error) {
      const delay = RETRY_DELAYS_MS[attempt];
      const err = error instanceof BotError ? error.error : error;
      if (delay === undefined) {
        inProgress.delete(updateId);
        logger.error({ err, updateId }, 'update failed again; it is tried once more at the next start');
        return;
      }
      logger.error({ err, updateId, retryInMs: delay }, 'update failed; trying again');
      const timer = setTimeout(() => {
        retries.delete(timer);
        void handle(update, attempt + 1);
      }, delay);
      retries.add(timer);
    }
  };

  const source = createSource({
    async supply(batchSize, signal) {
      const batch = await fetchUpdates(batchSize, signal);
      await store(batch, signal);
      return batch;
    },
  });
  // `handle` never rejects: failures are retried there.
  const sink = createConcurrentSink<Update>({ consume: handle }, async () => {});
  const runner: RunnerHandle = createRunner(source, sink);

  return {
    async start() {
      const interrupted = await updates.unhandled();
      if (interrupted.length)
        logger.info({ count: interrupted.length }, 'handling updates a restart interrupted');
      // Started before the runner fetches anything, so each user's older updates come first.
      for (const update of interrupted) void handle(update);
      runner.start();
    },

    isRunning: () => runner.isRunning(),

    async stop() {
      for (const timer of retries) clearTimeout(timer);
      retries.clear();
      if (runner.isRunning()) await runner.stop();
    },
  };
}
