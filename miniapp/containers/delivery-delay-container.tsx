import type { AgentApi } from '../api/agent-api.ts';
import type { AgentEvents } from '../hooks/use-agent-events.ts';
import { useDeliveryDelay } from '../hooks/use-delivery-delay.ts';
import { DeliveryDelayBanner } from '../ui/delivery-delay-banner.tsx';

/** The banner while deliveries to Telegram back up; nothing otherwise. */
export function DeliveryDelayContainer({ api, events }: { api: AgentApi; events: AgentEvents }) {
  const delay = useDeliveryDelay(api, events);
  return delay ? <DeliveryDelayBanner waiting={delay.waiting} oldestSeconds={delay.oldestSeconds} /> : null;
}
