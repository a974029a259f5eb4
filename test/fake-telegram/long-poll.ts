import { type ApiError, conflict } from './api-error.ts';
import type { UpdateQueue } from './update-queue.ts';

/**
 * The one getUpdates request that may be waiting. Like Telegram, a second getUpdates (or a
 * setWebhook) ends the waiting one with 409 Conflict.
 */
export class LongPolls {
  private current: { end: (error?: ApiError) => void } | undefined;

  /** Resolves when an update becomes pending, `ms` pass or `signal` aborts; rejects on conflict. */
  wait(queue: UpdateQueue, ms: number, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const finish = (error?: ApiError) => {
        clearTimeout(timer);
        unsubscribe();
        signal.removeEventListener('abort', onAbort);
        if (this.current === poll) this.current = undefined;
        if (error) reject(error);
        else resolve();
      };
      const poll = { end: finish };
      const onAbort = () => finish();
      const timer = setTimeout(finish, ms);
      const unsubscribe = queue.onChange(() => finish());
      signal.addEventListener('abort', onAbort);
      this.current = poll;
      if (signal.aborted) finish();
    });
  }

  /** Whether a getUpdates request is waiting right now. */
  get waiting(): boolean {
    return this.current !== undefined;
  }

  terminate(reason: string) {
    this.current?.end(conflict(reason));
  }
}
