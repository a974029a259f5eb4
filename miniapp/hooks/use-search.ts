import { useRef, useState } from 'react';
import type { SearchResult } from '../../contract/search-api.ts';
import { type AgentApi, ApiError } from '../api/agent-api.ts';
import { useResource } from './use-resource.ts';

export type SearchCriteria = {
  q: string;
  email: string;
  phone: string;
  tag: string;
  from: string;
  to: string;
  /** An agent's id, or '' for anyone. */
  agent: string;
};
export const NO_CRITERIA: SearchCriteria = {
  q: '',
  email: '',
  phone: '',
  tag: '',
  from: '',
  to: '',
  agent: '',
};

const reason = (failure: unknown) =>
  failure instanceof ApiError ? failure.message : 'No connection to the server. Try again in a moment.';

/** The agent's time zone (days of `from` / `to` are theirs). */
export const localTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/**
 * Search across all conversations: the form's criteria, the results so far (newest first) and the next
 * page. A new search cancels one still running.
 */
export function useSearch(api: AgentApi) {
  const [criteria, setCriteria] = useState<SearchCriteria>(NO_CRITERIA);
  const [results, setResults] = useState<SearchResult[] | null>(null);
  const [nextBefore, setNextBefore] = useState<number | null>(null);
  const [busy, setBusy] = useState<'search' | 'more' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const running = useRef<AbortController | null>(null);
  const asked = useRef<Record<string, string>>({});
  // The agent filter's choices: the team.
  const team = useResource(() => api.team(), api);

  const params = (c: SearchCriteria) => {
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(c)) if (value.trim()) out[key] = value.trim();
    if (out.from || out.to) out.tz = localTimeZone();
    return out;
  };

  const fetchPage = async (query: Record<string, string>, append: boolean) => {
    running.current?.abort();
    const controller = new AbortController();
    running.current = controller;
    setBusy(append ? 'more' : 'search');
    setError(null);
    try {
      const page = await api.search(query, controller.signal);
      setResults((previous) => (append ? [...(previous ?? []), ...page.results] : page.results));
      setNextBefore(page.next_before);
    } catch (failure) {
      if ((failure as Error).name === 'AbortError') return;
      setError(reason(failure));
    } finally {
      if (running.current === controller) setBusy(null);
    }
  };

  return {
    criteria,
    agents: (team.data?.members ?? []).map((member) => ({ id: member.id, name: member.name })),
    results,
    busy,
    error,
    hasMore: nextBefore !== null,
    empty: Object.keys(params(criteria)).length === 0,
    change: (field: keyof SearchCriteria, value: string) => setCriteria((c) => ({ ...c, [field]: value })),
    clear: () => {
      running.current?.abort();
      setCriteria(NO_CRITERIA);
      setResults(null);
      setNextBefore(null);
      setError(null);
      setBusy(null);
    },
    submit: () => {
      const query = params(criteria);
      if (!Object.keys(query).length) {
        setError('Type some words, or fill in an email, phone, tag or date.');
        return;
      }
      asked.current = query;
      void fetchPage(query, false);
    },
    more: () => {
      if (nextBefore === null) return;
      void fetchPage({ ...asked.current, before: String(nextBefore) }, true);
    },
  };
}
