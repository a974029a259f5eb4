import { formatDuration } from './format.ts';

export type DeliveryDelayBannerProps = { waiting: number; oldestSeconds: number };

/**
 * Shown above every screen while deliveries to Telegram back up: the group's cards and the agents' DMs
 * are behind, so the app is where the current state is.
 */
export function DeliveryDelayBanner({ waiting, oldestSeconds }: DeliveryDelayBannerProps) {
  return (
    <div className="sb-delivery-banner" role="status">
      <span className="sb-delivery-banner__icon" aria-hidden="true">
        ⚠️
      </span>
      <span>
        <strong>Deliveries to Telegram are delayed</strong>
        <br />
        {waiting} waiting, the oldest for {formatDuration(oldestSeconds)}. Chats in Telegram may be behind:
        this app is up to date.
      </span>
    </div>
  );
}
