import type { DeliveryStatus } from '../../core/delivery-backlog.ts';

/**
 * The warning /queue shows while deliveries back up, e.g. "⚠️ Deliveries to Telegram are delayed: 37
 * waiting, the oldest for 4 min" — agents then know the group and their DMs are behind, and to look in
 * the Mini App. Null while deliveries flow.
 */
export function deliveryDelayWarning(status: DeliveryStatus): string | null {
  if (!status.delayed || status.oldestSeconds === null) return null;
  return `⚠️ Deliveries to Telegram are delayed: ${status.waiting} waiting, the oldest for ${formatWait(status.oldestSeconds)}`;
}

/** "45 s", "4 min", "2 h 5 min". */
export function formatWait(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const rest = minutes % 60;
  return `${Math.floor(minutes / 60)} h${rest ? ` ${rest} min` : ''}`;
}
