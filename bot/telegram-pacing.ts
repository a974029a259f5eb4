import type { Transformer } from 'grammy';

/**
 * Telegram's documented limits for a bot's messages (Bot FAQ, "My bot is hitting limits"): in any one
 * chat no more than one message per second, in a group no more than 20 per minute, and no more than
 * about 30 per second overall.
 */
export const TELEGRAM_MESSAGE_LIMITS = {
  perChat: { count: 1, ms: 1000 },
  perGroup: { count: 20, ms: 60_000 },
  overall: { count: 30, ms: 1000 },
};

/** Bot API methods that send or change a message: the ones Telegram's message limits count. */
export const MESSAGE_METHODS = new Set([
  'sendMessage',
  'sendPhoto',
  'sendDocument',
  'sendVoice',
  'sendAudio',
  'sendVideo',
  'sendVideoNote',
  'sendAnimation',
  'sendSticker',
  'sendLocation',
  'sendVenue',
  'sendContact',
  'sendPoll',
  'sendDice',
  'sendMediaGroup',
  'copyMessage',
  'copyMessages',
  'forwardMessage',
  'forwardMessages',
  'editMessageText',
  'editMessageCaption',
  'editMessageMedia',
  'editMessageReplyMarkup',
]);

/**
 * Added to every window: Telegram counts a message when it arrives, which is before its answer reaches
 * us, so a window measured from answers is already on the safe side; this covers timers firing a
 * millisecond early and clocks that disagree by a little.
 */
const MARGIN_MS = 10;
/** How often windows with nothing left to remember are forgotten. */
const SWEEP_EVERY_MS = 60_000;

type Limit = { count: number; ms: number };

/**
 * One limit of one scope (a chat, a group, the whole bot): at most `count` messages arriving at Telegram
 * in any `ms`. A message counts from when it was sent until `ms` after it was answered; one still on its
 * way counts too (its arrival is not known yet).
 */
class SendWindow {
  private readonly limit: Limit;
  private inFlight = 0;
  /** When the recent messages were answered, oldest first. */
  private answered: number[] = [];
  /** A 429's `retry_after`: nothing is sent before this. */
  private heldUntil = 0;

  constructor(limit: Limit) {
    this.limit = limit;
  }

  /** When one more message may be sent: `now` or later, or Infinity until an answer comes. */
  readyAt(now: number): number {
    const { count, ms } = this.limit;
    this.forget(now);
    const used = this.inFlight + this.answered.length;
    // The oldest answered messages that must leave the window first (those in flight leave last).
    const mustLeave = used - count;
    let at = now;
    if (mustLeave >= 0) {
      const answeredAt = this.answered[mustLeave];
      at = answeredAt === undefined ? Number.POSITIVE_INFINITY : answeredAt + ms + MARGIN_MS;
    }
    return Math.max(at, this.heldUntil);
  }

  sent() {
    this.inFlight += 1;
  }

  settled(at: number) {
    this.inFlight -= 1;
    this.answered.push(at);
  }

  hold(until: number) {
    this.heldUntil = Math.max(this.heldUntil, until);
  }

  /** Nothing in flight, held or remembered: the window can be dropped. */
  idle(now: number) {
    this.forget(now);
    return this.inFlight === 0 && this.answered.length === 0 && this.heldUntil <= now;
  }

  private forget(now: number) {
    const horizon = now - this.limit.ms - MARGIN_MS;
    let expired = 0;
    while (expired < this.answered.length && (this.answered[expired] as number) <= horizon) expired += 1;
    if (expired > 0) this.answered = this.answered.slice(expired);
  }
}

type Waiting = {
  order: number;
  /** The windows this message counts in: the bot's, its chat's, and its group's. */
  windows: SendWindow[];
  start: () => void;
};

export type PacingClock = {
  now: () => number;
  setTimeout: (run: () => void, ms: number) => { unref?: () => unknown };
  clearTimeout: (timer: never) => void;
};

const realClock: PacingClock = {
  now: () => performance.now(),
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (timer) => clearTimeout(timer),
};

/** The chat a call writes to, as a key, and whether it is a group (or channel); undefined: no chat. */
function chatOf(payload: unknown): { key: string; group: boolean } | undefined {
  const chatId = (payload as { chat_id?: unknown } | undefined)?.chat_id;
  if (typeof chatId === 'number') return { key: String(chatId), group: chatId < 0 };
  if (typeof chatId === 'string' && chatId !== '')
    return { key: chatId, group: chatId.startsWith('-') || chatId.startsWith('@') };
  return undefined;
}

/**
 * Keeps the bot's messages within Telegram's limits, as a grammY API transformer: calls of
 * MESSAGE_METHODS wait until every limit they count in lets them go; other calls pass straight through.
 * The messages of one chat go out first come, first served, one after another, the next one a second
 * after the previous was answered; a chat waiting for its second never holds up other chats. A 429
 * holds its chat for `retry_after`. Install it inside auto-retry, so retries are paced too.
 */
export function createTelegramPacing(
  limits = TELEGRAM_MESSAGE_LIMITS,
  clock: PacingClock = realClock,
): Transformer {
  const overall = new SendWindow(limits.overall);
  const chatWindows = new Map<string, SendWindow>();
  const groupWindows = new Map<string, SendWindow>();
  /** Calls waiting to be sent, one first-come-first-served line per chat ('' for calls without one). */
  const lines = new Map<string, Waiting[]>();
  let nextOrder = 0;
  let timer: ReturnType<PacingClock['setTimeout']> | undefined;
  let lastSweep = clock.now();

  const windowOf = (windows: Map<string, SendWindow>, key: string, limit: Limit) => {
    let window = windows.get(key);
    if (!window) {
      window = new SendWindow(limit);
      windows.set(key, window);
    }
    return window;
  };

  const sweep = (now: number) => {
    lastSweep = now;
    for (const windows of [chatWindows, groupWindows])
      for (const [key, window] of windows) if (!lines.has(key) && window.idle(now)) windows.delete(key);
  };

  /** Sends every line's first call that may go now (oldest first) and sets a timer for the rest. */
  const pump = () => {
    const now = clock.now();
    if (timer) clock.clearTimeout(timer as never);
    timer = undefined;
    const heads = [...lines.values()].map((line) => line[0] as Waiting).sort((a, b) => a.order - b.order);
    let wakeAt = Number.POSITIVE_INFINITY;
    for (const head of heads) {
      const readyAt = Math.max(...head.windows.map((window) => window.readyAt(now)));
      if (readyAt <= now) head.start();
      else wakeAt = Math.min(wakeAt, readyAt);
    }
    if (now - lastSweep >= SWEEP_EVERY_MS) sweep(now);
    // Infinity: a line waits for an answer, and every answer pumps again.
    if (wakeAt !== Number.POSITIVE_INFINITY) {
      timer = clock.setTimeout(pump, Math.max(1, Math.ceil(wakeAt - now)));
      // Waiting to send must not keep a stopping process alive.
      timer.unref?.();
    }
  };

  return (prev, method, payload, signal) => {
    if (!MESSAGE_METHODS.has(method)) return prev(method, payload, signal);
    const chat = chatOf(payload);
    const key = chat?.key ?? '';
    const windows = [overall];
    if (chat) {
      windows.push(windowOf(chatWindows, chat.key, limits.perChat));
      if (chat.group) windows.push(windowOf(groupWindows, chat.key, limits.perGroup));
    }
    const heldWindow = windows[1] ?? overall;

    return new Promise((resolve, reject) => {
      const leaveLine = () => {
        const line = lines.get(key) ?? [];
        line.splice(line.indexOf(waiting), 1);
        if (line.length === 0) lines.delete(key);
      };
      const onAbort = () => {
        leaveLine();
        reject(new Error('aborted while waiting for Telegram’s limits'));
        pump();
      };
      const waiting: Waiting = {
        order: nextOrder++,
        windows,
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          leaveLine();
          for (const window of windows) window.sent();
          const settle = () => {
            const now = clock.now();
            for (const window of windows) window.settled(now);
            return now;
          };
          // Async, so that even a synchronous throw ends up as this call's failure, not the pump's.
          (async () => prev(method, payload, signal))().then(
            (response) => {
              const now = settle();
              const retryAfter = response.ok ? undefined : response.parameters?.retry_after;
              if (!response.ok && response.error_code === 429 && retryAfter)
                heldWindow.hold(now + retryAfter * 1000);
              resolve(response);
              pump();
            },
            (error: unknown) => {
              // No answer (network): it may have arrived all the same; counted from now.
              settle();
              reject(error);
              pump();
            },
          );
        },
      };
      if (signal?.aborted) {
        reject(new Error('aborted before it was sent'));
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      const line = lines.get(key);
      if (line) line.push(waiting);
      else lines.set(key, [waiting]);
      pump();
    });
  };
}
