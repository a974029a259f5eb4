import { useState } from 'react';
import { MAX_TAGS_PER_TICKET, normaliseTag, tagProblem } from '../../contract/tag-rules.ts';
import { type AgentApi, ApiError } from '../api/agent-api.ts';
import { haptics } from './telegram.ts';
import { useResource } from './use-resource.ts';

const reason = (failure: unknown) =>
  failure instanceof ApiError ? failure.message : 'No connection to the server. Try again in a moment.';

/** Words typed in the tag box: split on spaces and commas. */
export const tagWords = (text: string) => text.split(/[\s,]+/u).filter(Boolean);

/**
 * A ticket's tags: add (the box's words, checked here with the server's rules first) and remove. Bad input
 * is explained and nothing is sent.
 */
export function useTicketTags(api: AgentApi, ticketId: number) {
  const resource = useResource(() => api.tags(ticketId), `${ticketId}`);
  const [draft, setDraft] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const tags = resource.data?.tags ?? [];

  const run = async (action: () => Promise<{ ticket_id: number; tags: string[] }>) => {
    setBusy(true);
    setError(null);
    try {
      resource.set(await action());
      haptics.success();
      return true;
    } catch (failure) {
      setError(reason(failure));
      haptics.error();
      return false;
    } finally {
      setBusy(false);
    }
  };

  return {
    tags,
    loading: resource.loading,
    draft,
    busy,
    error: error ?? (resource.error && !resource.data ? reason(resource.error) : null),
    full: tags.length >= MAX_TAGS_PER_TICKET,
    change: (value: string) => {
      setDraft(value);
      setError(null);
    },
    async add() {
      const words = tagWords(draft);
      if (!words.length) return;
      for (const word of words) {
        const problem = tagProblem(normaliseTag(word));
        if (problem) {
          setError(`Tag “${word}” ${problem}.`);
          return;
        }
      }
      if (await run(() => api.addTags(ticketId, words))) setDraft('');
    },
    remove: (tag: string) => void run(() => api.removeTag(ticketId, tag)),
  };
}
