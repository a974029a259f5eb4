import { useEffect } from 'react';
import type { AgentApi } from '../api/agent-api.ts';
import type { AgentEvents } from './use-agent-events.ts';
import { useResource } from './use-resource.ts';

/**
 * Deliveries drain (or stop draining) without any event the app hears of, so the status is also polled;
 * an agent sees a delay within this time and the banner goes away as soon after it clears.
 */
const POLL_MS = 20_000;

/** While Telegram deliveries are backing up: how many wait and for how long the oldest; else null. */
export function useDeliveryDelay(api: AgentApi, events: AgentEvents) {
  const status = useResource(() => api.deliveries(), api, 1000);
  const { reload, reloadSoon } = status;
  useEffect(() => events.subscribe(() => reloadSoon()), [events, reloadSoon]);
  useEffect(() => {
    const timer = setInterval(reload, POLL_MS);
    return () => clearInterval(timer);
  }, [reload]);
  const data = status.data;
  return data?.delayed ? { waiting: data.waiting, oldestSeconds: data.oldest_seconds ?? 0 } : null;
}
