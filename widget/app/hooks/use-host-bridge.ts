import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import type { PageContext } from '../../../contract/api.ts';
import {
  type ChatToHost,
  type HostIdentity,
  type HostPage,
  type HostToChat,
  isProtocolMessage,
  PROTOCOL,
} from '../../loader/protocol.ts';

/**
 * The chat's side of the loader's postMessage channel. Messages go only to the host origin the loader
 * named, and only messages from that origin and the parent window are heard. Opened directly (not in
 * the loader's iframe), the chat is simply always visible.
 */
export function useHostBridge(hostOrigin: string | null) {
  const embedded = hostOrigin !== null && window.parent !== window;
  const [visible, setVisible] = useState(!embedded);

  const post = useCallback(
    (message: ChatToHost) => {
      if (embedded && hostOrigin) window.parent.postMessage(message, hostOrigin);
    },
    [embedded, hostOrigin],
  );

  useEffect(() => {
    if (!embedded) return;
    const onMessage = (event: MessageEvent) => {
      if (event.origin !== hostOrigin || event.source !== window.parent) return;
      if (!isProtocolMessage<HostToChat>(event.data)) return;
      if (event.data.type === 'visibility') setVisible(event.data.open === true);
    };
    // Escape anywhere in the chat closes it (the loader gives focus back to the launcher).
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key === 'Escape') post({ protocol: PROTOCOL, type: 'close' });
    };
    window.addEventListener('message', onMessage);
    document.addEventListener('keydown', onKeyDown);
    post({ protocol: PROTOCOL, type: 'ready' });
    return () => {
      window.removeEventListener('message', onMessage);
      document.removeEventListener('keydown', onKeyDown);
    };
  }, [embedded, hostOrigin, post]);

  const close = useCallback(() => post({ protocol: PROTOCOL, type: 'close' }), [post]);
  const reportUnread = useCallback(
    (count: number) => post({ protocol: PROTOCOL, type: 'unread', count }),
    [post],
  );

  return { embedded, visible, close, reportUnread };
}

/** What the loader tells about the host page: where the visitor is, and who the site says they are. */
export type HostPageState = {
  context: PageContext | null;
  identity: HostIdentity | null;
  /** How many times the host site called `Switchboard.logout()` since the chat loaded. */
  logouts: number;
};
export type HostPageChannel = {
  current(): HostPageState;
  subscribe(listener: () => void): () => void;
};

/**
 * Listens to the loader from the start (before the chat renders, so nothing is missed): its `page` and
 * `identify` messages, from the host origin and the parent window only. Opened directly, nothing comes.
 */
export function listenToHostPage(hostOrigin: string | null): HostPageChannel {
  let state: HostPageState = { context: null, identity: null, logouts: 0 };
  let contextKey = '';
  const listeners = new Set<() => void>();
  const change = (next: Partial<HostPageState>) => {
    state = { ...state, ...next };
    for (const listener of listeners) listener();
  };
  if (hostOrigin !== null && window.parent !== window) {
    window.addEventListener('message', (event) => {
      if (event.origin !== hostOrigin || event.source !== window.parent) return;
      if (!isProtocolMessage<HostToChat>(event.data)) return;
      const message = event.data;
      if (message.type === 'page' && message.page) {
        const context = toPageContext(message.page);
        const key = JSON.stringify(context);
        if (key !== contextKey) {
          contextKey = key;
          change({ context });
        }
      } else if (message.type === 'identify' && message.identity) {
        const { id, name, email, hash } = message.identity;
        if (typeof id === 'string' && typeof hash === 'string') {
          const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined);
          const identity = { id, name: text(name), email: text(email), hash };
          if (JSON.stringify(identity) !== JSON.stringify(state.identity)) change({ identity });
        }
      } else if (message.type === 'logout') {
        change({ identity: null, logouts: state.logouts + 1 });
      }
    });
  }
  return {
    current: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export function useHostPage(channel: HostPageChannel): HostPageState {
  return useSyncExternalStore(channel.subscribe, channel.current);
}

const UTM_KEYS = ['source', 'medium', 'campaign', 'term', 'content'] as const;

/**
 * The page as the API takes it (PUT /api/session/:id/context): only http(s) URLs within the limits,
 * printable titles, the landing page's utm_* parameters, and the visitor's time zone.
 */
export function toPageContext(page: HostPage, timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone) {
  const url = (value: unknown) =>
    typeof value === 'string' && /^https?:\/\/\S+$/i.test(value) && value.length <= 2048 ? value : undefined;
  // Control characters (tabs, line breaks included) would be refused: they become spaces.
  const printable = (value: string, max: number) =>
    value
      .replace(/\p{Cc}+/gu, ' ')
      .trim()
      .slice(0, max);
  const utm: Record<string, string> = {};
  try {
    const params = new URL(page.landing).searchParams;
    for (const key of UTM_KEYS) {
      const value = printable(params.get(`utm_${key}`) ?? '', 200);
      if (value) utm[key] = value;
    }
  } catch {
    // no landing page: no UTM
  }
  const context: PageContext = {
    url: url(page.url),
    title: typeof page.title === 'string' ? printable(page.title, 300) : undefined,
    referrer: url(page.referrer),
    utm: Object.keys(utm).length > 0 ? utm : undefined,
    time_zone: timeZone && /^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(timeZone) ? timeZone : undefined,
  };
  return context;
}
