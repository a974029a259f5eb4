import { useCallback, useEffect, useRef, useState } from 'react';

export type Resource<T> = {
  data: T | null;
  error: Error | null;
  /** True until the first answer (or error). */
  loading: boolean;
  /** When `data` was fetched (ms), for ages that keep counting. */
  loadedAt: number;
  /** Fetch again now; calls during a fetch are coalesced into one more. */
  reload: () => void;
  /** Fetch again shortly: bursts of live events make one request. */
  reloadSoon: () => void;
  /** Replace the data (e.g. with an action's answer) without a request. */
  set: (data: T) => void;
};

/**
 * Data from the API that stays fresh: loads on mount and when `key` changes, reloads on demand. Keeps the
 * last good data while a reload fails (the error is reported next to it).
 */
export function useResource<T>(load: () => Promise<T>, key: unknown, debounceMs = 250): Resource<T> {
  const [state, setState] = useState<{ data: T | null; error: Error | null; loadedAt: number }>({
    data: null,
    error: null,
    loadedAt: 0,
  });
  const loader = useRef(load);
  loader.current = load;
  const inFlight = useRef(false);
  const again = useRef(false);
  const alive = useRef(true);
  const generation = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const reload = useCallback(() => {
    if (inFlight.current) {
      again.current = true;
      return;
    }
    inFlight.current = true;
    const current = generation.current;
    loader
      .current()
      .then(
        (data) => {
          if (alive.current && current === generation.current)
            setState({ data, error: null, loadedAt: Date.now() });
        },
        (error: Error) => {
          if (alive.current && current === generation.current)
            setState((previous) => ({ ...previous, error }));
        },
      )
      .finally(() => {
        inFlight.current = false;
        if (again.current && alive.current) {
          again.current = false;
          reload();
        }
      });
  }, []);

  const reloadSoon = useCallback(() => {
    clearTimeout(timer.current);
    timer.current = setTimeout(reload, debounceMs);
  }, [reload, debounceMs]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` names what is loaded; a new key starts over.
  useEffect(() => {
    alive.current = true;
    generation.current += 1;
    inFlight.current = false;
    again.current = false;
    setState({ data: null, error: null, loadedAt: 0 });
    reload();
    return () => {
      alive.current = false;
      clearTimeout(timer.current);
    };
  }, [key, reload]);

  const set = useCallback((data: T) => setState({ data, error: null, loadedAt: Date.now() }), []);

  return {
    data: state.data,
    error: state.error,
    loading: state.data === null && state.error === null,
    loadedAt: state.loadedAt,
    reload,
    reloadSoon,
    set,
  };
}
