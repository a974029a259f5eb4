import type { ApiCall } from './types.ts';

export interface WaitForOptions {
  timeoutMs?: number;
}

/** Every API call, plus change notifications that `waitFor` re-checks its predicate on. */
export class CallLog {
  readonly calls: ApiCall[] = [];
  private readonly listeners = new Set<() => void>();
  private readonly closed = new AbortController();

  record(call: ApiCall) {
    this.calls.push(call);
    this.changed();
  }

  /** Something observable happened (a call, an injection, a webhook attempt). */
  changed() {
    for (const listener of [...this.listeners]) listener();
  }

  close() {
    this.closed.abort();
  }

  /**
   * Resolves with the predicate's value once it is truthy. Re-checks after every call, injection
   * and webhook attempt, and every 20 ms (for state outside the fake). A predicate that throws
   * counts as not yet; its last error is part of the timeout message. The default wait is generous
   * (tests run on busy 2-core machines); a condition that holds returns at once.
   */
  async waitFor<T>(
    predicate: () => T | undefined | null | false | Promise<T | undefined | null | false>,
    { timeoutMs = 15_000 }: WaitForOptions = {},
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    for (;;) {
      try {
        const value = await predicate();
        if (value) return value;
        lastError = undefined;
      } catch (error) {
        lastError = error;
      }
      if (this.closed.signal.aborted) throw new Error('fake Telegram: waitFor after close()');
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(this.timeoutMessage(timeoutMs, lastError));
      await this.nextChange(Math.min(20, remaining));
    }
  }

  private nextChange(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.listeners.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.listeners.add(done);
    });
  }

  private timeoutMessage(timeoutMs: number, lastError: unknown): string {
    const recent = this.calls.slice(-8).map(describeCall);
    return [
      `fake Telegram: waitFor timed out after ${timeoutMs} ms`,
      ...(lastError ? [`last predicate error: ${(lastError as Error).message ?? String(lastError)}`] : []),
      recent.length ? `last ${recent.length} of ${this.calls.length} calls:` : 'no API calls were made',
      ...recent.map((line) => `  ${line}`),
    ].join('\n');
  }
}

export function describeCall(call: ApiCall): string {
  const params = JSON.stringify(call.params);
  const outcome = call.ok ? 'ok' : `${call.status || 'no answer'} ${call.description ?? ''}`.trim();
  return `${call.method} ${params.length > 200 ? `${params.slice(0, 200)}…` : params} → ${outcome}`;
}
