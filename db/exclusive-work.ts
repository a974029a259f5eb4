import type { Logger } from 'pino';
import type { ExclusiveLock, HeldLock } from './exclusive-lock.ts';

/** Starts the work; resolves once it runs. */
export type ExclusiveWork = () => Promise<{
  /** Ends the work; settles once it ended. */
  stop(): Promise<void>;
  /** Settles when the work ends (by `stop`, or by itself: a failure, with its error). */
  ended: Promise<unknown>;
}>;

export type ExclusiveRunner = {
  /** Whether this instance holds the lock and runs the work right now. */
  readonly running: boolean;
  /** Ends the work (if it runs), then releases the lock; no further attempts. */
  stop(): Promise<void>;
};

/** How often an instance without the lock tries to take it. */
const DEFAULT_ATTEMPT_MS = 3_000;

/**
 * Runs `work` on one instance at a time: the one that holds `lock`. The others try to take the lock
 * every `attemptMs`, so when the holder dies (its lock is freed) another takes over within about that
 * time. When the lock is lost (its connection dropped) the work ends at once, and this instance goes
 * back to trying. Work that fails to start, or ends by itself, releases the lock and is tried again at
 * the next attempt (by whichever instance takes the lock).
 */
export function runExclusively({
  lock,
  work,
  what,
  logger,
  attemptMs = DEFAULT_ATTEMPT_MS,
}: {
  lock: ExclusiveLock;
  work: ExclusiveWork;
  /** What the work is, for the log ("polling Telegram"). */
  what: string;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  attemptMs?: number;
}): ExclusiveRunner {
  let running = false;
  const stopping = new AbortController();
  const { signal } = stopping;

  /** The wait before the next attempt; ends early at stop. */
  const pause = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, attemptMs);
      signal.addEventListener('abort', done);
    });

  /** Until the lock is lost, the work ends by itself, or stop is called. */
  const holding = (held: HeldLock, ended: Promise<unknown>) =>
    new Promise<{ outcome: 'lost' | 'ended' | 'stopped'; error?: unknown }>((resolve) => {
      const onStop = () => resolve({ outcome: 'stopped' });
      // Stopped while the work was starting: the abort event is gone by now.
      if (signal.aborted) onStop();
      signal.addEventListener('abort', onStop, { once: true });
      const settle = (outcome: 'lost' | 'ended', error?: unknown) => {
        signal.removeEventListener('abort', onStop);
        resolve({ outcome, error });
      };
      void held.lost.then(() => settle('lost'));
      ended.then(
        () => settle('ended'),
        (error: unknown) => settle('ended', error),
      );
    });

  const runWhileHeld = async (held: HeldLock) => {
    let current: Awaited<ReturnType<ExclusiveWork>> | undefined;
    try {
      if (signal.aborted) return;
      current = await work();
      running = true;
      logger.info(`this instance is ${what}`);
      const { outcome, error } = await holding(held, current.ended);
      if (outcome === 'lost') logger.warn(`lost the lock's database connection: stopped ${what}`);
      if (outcome === 'ended') logger.error({ err: error }, `${what} ended by itself; trying again`);
    } catch (error) {
      logger.error({ err: error }, `could not start ${what}; trying again`);
    } finally {
      running = false;
      await current?.stop().catch((error: unknown) => logger.error({ err: error }, `could not stop ${what}`));
      await held.release().catch(() => {});
    }
  };

  const loop = (async () => {
    /** What the log last said, so that an instance waiting its turn says it once, not every attempt. */
    let said: 'waiting' | 'failing' | undefined;
    while (!signal.aborted) {
      let held: HeldLock | undefined;
      try {
        held = await lock.acquire();
        if (!held && said !== 'waiting') {
          logger.info(`another instance is ${what}; this one takes over if it stops`);
          said = 'waiting';
        }
      } catch (error) {
        if (said !== 'failing') logger.warn({ err: error }, `cannot take the lock for ${what}; trying again`);
        said = 'failing';
      }
      if (held) {
        said = undefined;
        await runWhileHeld(held);
      }
      if (!signal.aborted) await pause();
    }
  })();

  return {
    get running() {
      return running;
    },
    async stop() {
      stopping.abort();
      await loop;
      await lock.close();
    },
  };
}
