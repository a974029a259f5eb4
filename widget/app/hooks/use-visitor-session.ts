import { useCallback, useEffect, useState } from 'react';
import type { VisitorApi, VisitorCredentials } from '../api/visitor-api.ts';

const STORAGE_KEY = 'switchboard:session';

/** Where the session is kept: the chat origin's localStorage, or memory when storage is blocked. */
export type SessionStore = {
  load(): VisitorCredentials | null;
  save(value: VisitorCredentials | null): void;
};

export function browserSessionStore(storage: Storage | undefined = safeLocalStorage()): SessionStore {
  let memory: VisitorCredentials | null = null;
  return {
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
