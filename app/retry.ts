import type { Logger } from 'pino';

/** What a failed attempt means: `reason` in a few words; `fatal`, a whole sentence for the log, ends the retries. */
export type FailureExplanation = {
  reason: string;
  fatal?: string;
  /** Not a known kind of outage (a bug, a database error): logged with its stack once per reason. */
  unexpected?: boolean;
};

/** Told about every turn of a background retry, e.g. a connection status that /readyz shows. */
export type RetryObserver<T> = {
  failed(reason: string, nextAttemptAt: Date): void;
  succeeded(result: T): void;
  gaveUp(reason: string): void;
};

export type RetryOptions<T> = {
  logger: Logger;
  explain: (error: unknown) => FailureExplanation;
  observer?: RetryObserver<T>;
  /** The first wait (default 5 s); it doubles up to `maxDelayMs` (default a minute). */
  firstDelayMs?: number;
  maxDelayMs?: number;
  /** While it keeps failing for the same reason, one log line per this interval (default 5 minutes). */
  quietLogIntervalMs?: number;
};

/** The first failures are each logged: an operator watching the start sees the backoff grow. */
const FAILURES_LOGGED_EACH = 3;

/**
 * Runs `attempt` in the background, retrying a failure (5 s, doubling to a minute) until it succeeds,
 * `explain` calls the failure fatal, or `cancel()` is called. `done` settles when it stops trying.
 *
 * The log says what happened without flooding: each of the first failures with its reason and the next
 * wait, then a line only when the reason changes or every few minutes ("still failing since …"), and
 * one line when it finally succeeds.
 */
export function retryInBackground<T>(what: string, attempt: () => Promise<T>, options: RetryOptions<T>) {
  const { logger, explain, observer } = options;
  const firstDelayMs = options.firstDelayMs ?? 5_000;
  const maxDelayMs = options.maxDelayMs ?? 60_000;
  const quietLogIntervalMs = options.quietLogIntervalMs ?? 5 * 60_000;
  let timer: NodeJS.Timeout | undefined;
  let cancelled = false;
  let stopped = () => {};
  const done = new Promise<void>((resolve) => {
    stopped = resolve;
  });
  let failures = 0;
  let failingSince: Date | undefined;
  let lastLogged: { reason: string; at: number } | undefined;
  const stackLoggedFor = new Set<string>();

  const logFailure = (explanation: FailureExplanation, error: unknown, delayMs: number) => {
    const { reason } = explanation;
    const now = Date.now();
    const changed = lastLogged?.reason !== reason;
    if (failures > FAILURES_LOGGED_EACH && !changed && now - (lastLogged?.at ?? 0) < quietLogIntervalMs)
      return;
    lastLogged = { reason, at: now };
    const next = `next try in ${formatSeconds(delayMs)}`;
    const err = explanation.unexpected && !stackLoggedFor.has(reason) ? error : undefined;
    if (err) stackLoggedFor.add(reason);
    const fields = { attempts: failures, reason, nextTryInSeconds: delayMs / 1000, ...(err ? { err } : {}) };
    if (failures > FAILURES_LOGGED_EACH && !changed) {
      const since = (failingSince ?? new Date()).toISOString();
      logger.warn(fields, `${what} still failing since ${since} (${reason}; ${failures} attempts); ${next}`);
    } else {
      logger.warn(fields, `${what} failed (${reason}); ${next}`);
    }
  };

  const run = async (delayMs: number): Promise<void> => {
    let result: T;
    try {
      result = await attempt();
    } catch (error) {
      if (cancelled) return;
      const explanation = explain(error);
      if (explanation.fatal) {
        logger.error({ reason: explanation.reason }, explanation.fatal);
        observer?.gaveUp(explanation.reason);
        stopped();
        return;
      }
      failures += 1;
      failingSince ??= new Date();
      logFailure(explanation, error, delayMs);
      observer?.failed(explanation.reason, new Date(Date.now() + delayMs));
      timer = setTimeout(() => void run(Math.min(delayMs * 2, maxDelayMs)), delayMs);
      timer.unref();
      return;
    }
    if (cancelled) return;
    if (failures > 0) {
      logger.info({ attempts: failures + 1 }, `${what} succeeded after ${failures} failed attempts`);
    }
    observer?.succeeded(result);
    stopped();
  };
  void run(firstDelayMs);
  return {
    done,
    cancel() {
      cancelled = true;
      clearTimeout(timer);
      stopped();
    },
  };
}

function formatSeconds(ms: number) {
  const seconds = Math.round(ms / 1000);
  return seconds >= 60 && seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`;
}
