import { isLoopbackUrl } from './loopback.ts';
import type { Params, Update, WebhookDelivery } from './types.ts';
import type { UpdateQueue } from './update-queue.ts';

export interface WebhookConfig {
  url: string;
  secretToken: string | undefined;
  maxConnections: number;
}

export interface WebhookOptions {
  retryDelayMs: number;
  maxAttempts: number;
  /** Per attempt. */
  timeoutMs: number;
  /** A JSON answer `{ method, ...params }` is a Bot API call (Telegram's "webhook reply"). */
  onWebhookReply: (method: string, params: Params) => Promise<void>;
}

/**
 * POSTs pending updates to the webhook one at a time, in update_id order. A non-2xx answer or a
 * connection error retries the same update after `retryDelayMs`, up to `maxAttempts` times, then
 * drops it (as Telegram eventually does) and records the error for getWebhookInfo.
 */
export class WebhookSender {
  config: WebhookConfig | undefined;
  readonly deliveries: WebhookDelivery[] = [];
  lastError: { date: number; message: string } | undefined;
  private readonly queue: UpdateQueue;
  private readonly options: WebhookOptions;
  private readonly closing = new AbortController();
  private running = false;
  private wake: (() => void) | undefined;
  private readonly onAttempt: () => void;

  constructor(queue: UpdateQueue, options: WebhookOptions, onAttempt: () => void) {
    this.queue = queue;
    this.options = options;
    this.onAttempt = onAttempt;
    queue.onChange(() => this.wake?.());
  }

  set(config: WebhookConfig | undefined) {
    this.config = config;
    this.lastError = undefined;
    this.wake?.();
    if (config && !this.running) void this.run();
  }

  close() {
    this.closing.abort();
    this.wake?.();
  }

  private async run() {
    this.running = true;
    try {
      while (this.config && !this.closing.signal.aborted) {
        const update = this.queue.first();
        if (!update) {
          await new Promise<void>((resolve) => {
            this.wake = resolve;
          });
          this.wake = undefined;
          continue;
        }
        await this.deliver(update);
      }
    } finally {
      this.running = false;
    }
  }

  private async deliver(update: Update) {
    for (let attempt = 1; this.config && !this.closing.signal.aborted; attempt += 1) {
      if (!this.queue.isPending(update.update_id)) return; // dropped meanwhile (drop_pending_updates)
      const { url, secretToken } = this.config;
      const { reply, ...outcome } = await this.post(url, secretToken, update);
      this.deliveries.push({ url, updateId: update.update_id, at: Date.now(), ...outcome });
      this.onAttempt();
      if (outcome.status >= 200 && outcome.status < 300) {
        this.queue.remove(update.update_id);
        if (reply !== undefined) await this.webhookReply(reply);
        return;
      }
      this.lastError = {
        date: Math.floor(Date.now() / 1000),
        message: outcome.error ?? `Wrong response from the webhook: ${outcome.status}`,
      };
      if (attempt >= this.options.maxAttempts) {
        this.queue.remove(update.update_id);
        return;
      }
      await this.pause(this.options.retryDelayMs);
    }
  }

  private async post(
    url: string,
    secretToken: string | undefined,
    update: Update,
  ): Promise<{ status: number; error?: string; reply?: string }> {
    if (!isLoopbackUrl(url)) {
      return { status: 0, error: 'Connection failed: the fake delivers webhooks to loopback addresses only' };
    }
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (secretToken) headers['x-telegram-bot-api-secret-token'] = secretToken;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers,
        body: JSON.stringify(update),
        signal: AbortSignal.any([this.closing.signal, AbortSignal.timeout(this.options.timeoutMs)]),
      });
      const body = await response.text();
      return response.ok ? { status: response.status, reply: body } : { status: response.status };
    } catch (error) {
      return { status: 0, error: `Connection failed: ${(error as Error).message}` };
    }
  }

  private async webhookReply(body: string) {
    let reply: unknown;
    try {
      reply = JSON.parse(body);
    } catch {
      return;
    }
    if (reply && typeof reply === 'object' && typeof (reply as Params).method === 'string') {
      const { method, ...params } = reply as Params;
      await this.options.onWebhookReply(method as string, params);
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const signal = this.closing.signal;
      signal.addEventListener('abort', done, { once: true });
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
    });
  }
}
