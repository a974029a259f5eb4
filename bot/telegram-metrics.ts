import type { Transformer } from 'grammy';
import type { BotMetrics } from './deps.ts';

/**
 * Counts Bot API answers of 429 Too Many Requests, per method. Installed inside auto-retry, so every
 * refused attempt counts, also those auto-retry waits out and repeats.
 */
export function countRateLimits(metrics: Pick<BotMetrics, 'telegramRateLimited'>): Transformer {
  return async (prev, method, payload, signal) => {
    const response = await prev(method, payload, signal);
    if (!response.ok && response.error_code === 429) metrics.telegramRateLimited(method);
    return response;
  };
}
