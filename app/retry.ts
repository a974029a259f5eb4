import type { Logger } from 'pino';

/**
 * Runs `attempt` in the background, retrying a failure (5 s, doubling to a minute) until it succeeds,
 * `isFatal` says retrying is pointless, or `cancel()` is called. `done` settles when it stops trying.
 */
export function retryInBackground(
  what: string,
  attempt: () => Promise<void>,
  { logger, isFatal }: { logger: Logger; isFatal: (error: unknown) => boolean },
) {
  let timer: NodeJS.Timeout | undefined;
  let cancelled = false;
  const run = async (delayMs: number): Promise<void> => {
    try {
      await attempt();
    } catch (error) {
      if (cancelled) return;
      if (isFatal(error)) {
        logger.error({ err: error }, `${what} failed; not retrying`);
        return;
      }
      logger.error({ err: error }, `${what} failed; retrying in ${delayMs / 1000} s`);
      timer = setTimeout(() => void run(Math.min(delayMs * 2, 60_000)), delayMs);
      timer.unref();
    }
  };
  const done = run(5000);
  return {
    done,
    cancel() {
      cancelled = true;
      clearTimeout(timer);
    },
  };
}
