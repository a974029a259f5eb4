export interface RateLimits {
  perSecondOverall: number;
  perChatPerSecond: number;
  perGroupPerMinute: number;
}

export const TELEGRAM_LIMITS: RateLimits = {
  perSecondOverall: 30,
  perChatPerSecond: 1,
  perGroupPerMinute: 20,
};

/**
 * Telegram's flood limits for sending methods (Bot FAQ, "My bot is hitting limits"): per chat per second
 * (private chats and groups alike), per group (negative chat id) per minute as well, and overall per
 * second. A message counts when it arrives, in a sliding window; only successful calls count.
 */
export class RateLimiter {
  limits: RateLimits | undefined;
  rejected = 0;
  private overall: number[] = [];
  private readonly perChat = new Map<number, number[]>();

  /** Seconds to wait when a call to `chatId` now would exceed a limit; undefined when allowed. */
  retryAfter(chatId: number | undefined, now: number): number | undefined {
    const limits = this.limits;
    if (!limits) return undefined;
    const waits = [wait(this.overall, limits.perSecondOverall, 1000, now)];
    if (chatId !== undefined) {
      const sent = this.perChat.get(chatId) ?? [];
      waits.push(wait(sent, limits.perChatPerSecond, 1000, now));
      if (chatId < 0) waits.push(wait(sent, limits.perGroupPerMinute, 60_000, now));
    }
    const longest = Math.max(...waits);
    return longest > 0 ? Math.max(1, Math.ceil(longest / 1000)) : undefined;
  }

  record(chatId: number | undefined, now: number) {
    this.overall = recent(this.overall, 1000, now);
    this.overall.push(now);
    if (chatId === undefined) return;
    const sent = recent(this.perChat.get(chatId) ?? [], 60_000, now);
    sent.push(now);
    this.perChat.set(chatId, sent);
  }
}

/** Milliseconds until one more call fits in the window; 0 when it fits now. */
function wait(times: number[], limit: number, windowMs: number, now: number): number {
  const inWindow = recent(times, windowMs, now);
  if (inWindow.length < limit) return 0;
  const oldestThatMustExpire = inWindow[inWindow.length - limit] as number;
  return Math.max(1, oldestThatMustExpire + windowMs - now);
}

function recent(times: number[], windowMs: number, now: number): number[] {
  return times.filter((time) => time > now - windowMs);
}
