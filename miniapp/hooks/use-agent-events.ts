import { useCallback, useEffect, useRef, useState } from 'react';
import type { AgentEvent } from '../../contract/agent-api.ts';
import { type AgentApi, ApiError } from '../api/agent-api.ts';

/** `live`: the event stream is open; `polling`: it is not, and screens refresh on a timer meanwhile. */
export type LiveStatus = 'connecting' | 'live' | 'polling';
export type AgentEvents = {
  status: LiveStatus;
  /** Listens to live events; a `ready` event means "refetch what you show" (also sent while polling). */
  subscribe: (listener: (event: AgentEvent) => void) => () => void;
};

const POLL_MS = 10_000;
const MAX_BACKOFF_MS = 30_000;

/**
 * The agents' event stream (`GET /api/agent/events`), reconnecting with backoff. While it is down the hook
 * falls back to polling: every `pollMs` it tells listeners to refetch, as the stream's `ready` does.
 * Idle until `enabled` (the server let the agent in).
 */
export function useAgentEvents(
  api: AgentApi,
  { enabled = true, pollMs = POLL_MS }: { enabled?: boolean; pollMs?: number } = {},
): AgentEvents {
  const listeners = useRef(new Set<(event: AgentEvent) => void>());
  const [status, setStatus] = useState<LiveStatus>('connecting');

  useEffect(() => {
    if (!enabled) return;
    const controller = new AbortController();
    const { signal } = controller;
    let pollTimer: ReturnType<typeof setInterval> | undefined;
    const emit = (event: AgentEvent) => {
      for (const listener of [...listeners.current]) listener(event);
    };
    const refresh = () => emit({ type: 'ready', data: { at: new Date().toISOString() } });
    const startPolling = () => {
      setStatus('polling');
      pollTimer ??= setInterval(refresh, pollMs);
    };
    const stopPolling = () => {
      clearInterval(pollTimer);
      pollTimer = undefined;
    };

    (async () => {
      let failures = 0;
      while (!signal.aborted) {
        try {
          await api.events((event) => {
            if (event.type === 'ready') {
              failures = 0;
              stopPolling();
              setStatus('live');
            }
            emit(event);
          }, signal);
        } catch (error) {
          if (signal.aborted) return;
          // Refused (expired initData, not an agent): the screens show why; polling keeps trying.
          if (error instanceof ApiError && error.status < 500) failures = Math.max(failures, 4);
        }
        if (signal.aborted) return;
        failures += 1;
        startPolling();
        refresh();
        const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(failures, 6));
        await new Promise((resolve) => {
          const timer = setTimeout(resolve, delay);
          signal.addEventListener('abort', () => {
            clearTimeout(timer);
            resolve(undefined);
          });
        });
      }
    })();

    return () => {
      controller.abort();
      stopPolling();
    };
  }, [api, enabled, pollMs]);

  const subscribe = useCallback((listener: (event: AgentEvent) => void) => {
    listeners.current.add(listener);
    return () => {
      listeners.current.delete(listener);
    };
  }, []);

  return { status, subscribe };
}
