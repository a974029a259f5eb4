import { useCallback, useEffect, useRef, useState } from 'react';
import type { PageContext } from '../../../contract/api.ts';
import type { HostIdentity } from '../../loader/protocol.ts';
import type { VisitorApi, VisitorCredentials } from '../api/visitor-api.ts';

const STORAGE_KEY = 'switchboard:session';

/** Where the session is kept: the chat origin's localStorage, or memory when storage is blocked. */
export type SessionStore = {
  load(): VisitorCredentials | null;
  save(value: VisitorCredentials | null): void;
  /** Hears every save (the session created, renewed or switched to an identified visitor's). */
  subscribe?(listener: (value: VisitorCredentials | null) => void): () => void;
};

export function browserSessionStore(storage: Storage | undefined = safeLocalStorage()): SessionStore {
  let memory: VisitorCredentials | null = null;
  const listeners = new Set<(value: VisitorCredentials | null) => void>();
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    load() {
      try {
        const raw = storage?.getItem(STORAGE_KEY);
        const parsed = raw ? (JSON.parse(raw) as Partial<VisitorCredentials>) : null;
        if (typeof parsed?.sessionId === 'string' && typeof parsed.token === 'string') {
          return { sessionId: parsed.sessionId, token: parsed.token };
        }
      } catch {
        // unreadable: fall back to memory
      }
      return memory;
    },
    save(value) {
      memory = value;
      for (const listener of listeners) listener(value);
      try {
        if (value) storage?.setItem(STORAGE_KEY, JSON.stringify(value));
        else storage?.removeItem(STORAGE_KEY);
      } catch {
        // storage blocked (private mode, third-party storage off): memory only
      }
    },
  };
}

function safeLocalStorage() {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

/**
 * The visitor's session: created once and kept, so the history survives reloads. `renew()` replaces a
 * session the server no longer accepts (expired token, deleted session) with a new one.
 */
export function useVisitorSession(api: VisitorApi, store: SessionStore, details: { locale?: string }) {
  const [credentials, setCredentials] = useState<VisitorCredentials | null>(() => store.load());
  const [failed, setFailed] = useState(false);
  const [attempt, setAttempt] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` retries after a failure
  useEffect(() => {
    if (credentials) return;
    let cancelled = false;
    setFailed(false);
    api
      .createSession({ locale: details.locale, referer: document.referrer || undefined })
      .then((created) => {
        if (cancelled) return;
        const next = { sessionId: created.session_id, token: created.access_token };
        store.save(next);
        setCredentials(next);
      })
      .catch(() => !cancelled && setFailed(true));
    return () => {
      cancelled = true;
    };
  }, [api, store, credentials, details.locale, attempt]);

  const renew = useCallback(() => {
    store.save(null);
    setCredentials(null);
  }, [store]);
  const retry = useCallback(() => setAttempt((count) => count + 1), []);

  return { credentials, failed, renew, retry };
}

/**
 * Keeps the server told about the host page and the identified visitor, beside the chat: every page change
 * goes to PUT /api/session/:id/context (at most one a second), and an identity from
 * `Switchboard.identify()` to POST /api/session/:id/identify. When the identity already has a session (the
 * visitor's history from another device), its credentials replace this one's in the store and
 * `generation` grows: the chat starts again on that session. A refused identity changes nothing.
 * `Switchboard.logout()` forgets the session here, and the chat starts again on a new anonymous one.
 */
export function useSessionSync(
  api: VisitorApi,
  store: SessionStore,
  {
    context,
    identity,
    logouts = 0,
  }: { context: PageContext | null; identity: HostIdentity | null; logouts?: number },
) {
  const [credentials, setCredentials] = useState(() => store.load());
  const [generation, setGeneration] = useState(0);
  useEffect(() => store.subscribe?.(setCredentials), [store]);
  const sessionId = credentials?.sessionId;
  const latest = useRef(credentials);
  latest.current = credentials;

  useEffect(() => {
    const auth = latest.current;
    if (!sessionId || !auth || !context) return;
    const timer = setTimeout(() => {
      api.updateContext(auth, context).catch(() => {
        // the next page change tries again
      });
    }, 1000);
    return () => clearTimeout(timer);
  }, [api, sessionId, context]);

  /** `sessionId|identity` pairs already settled, so a switch or a reload does not ask twice. */
  const settled = useRef(new Set<string>());
  useEffect(() => {
    const auth = latest.current;
    if (!sessionId || !auth || !identity) return;
    const identityKey = JSON.stringify(identity);
    if (settled.current.has(`${sessionId}|${identityKey}`)) return;
    let cancelled = false;
    api
      .identify(auth, identity)
      .then((answer) => {
        settled.current.add(`${sessionId}|${identityKey}`);
        settled.current.add(`${answer.session_id}|${identityKey}`);
        if (cancelled || answer.session_id === sessionId) return;
        store.save({ sessionId: answer.session_id, token: answer.access_token });
        setGeneration((count) => count + 1);
      })
      .catch((error: Error) => {
        settled.current.add(`${sessionId}|${identityKey}`);
        console.warn(`Switchboard.identify was refused: ${error.message}`);
      });
    return () => {
      cancelled = true;
    };
  }, [api, store, sessionId, identity]);

  // `Switchboard.logout()`: the session is forgotten here (the server keeps it for the agents, and the
  // identified visitor gets it back on their next identify); the chat starts again, anonymous.
  const handledLogouts = useRef(logouts);
  useEffect(() => {
    if (logouts === handledLogouts.current) return;
    handledLogouts.current = logouts;
    settled.current.clear();
    store.save(null);
    setGeneration((count) => count + 1);
  }, [store, logouts]);

  return { generation };
}
