import { useCallback, useMemo, useState } from 'react';
import type { TicketCannedReply } from '../../contract/canned-replies-api.ts';
import type { AgentApi } from '../api/agent-api.ts';
import { haptics } from './telegram.ts';

/** Where a snippet goes in the draft: appended after what is written (on a new line), or alone. */
export function insertSnippet(draft: string, text: string): string {
  const before = draft.replace(/\s+$/, '');
  return before ? `${before}\n${text}` : text;
}

/**
 * The reply box's picker: the ticket's snippets, filled by the server for this ticket and agent (its
 * category's first), loaded when the picker opens (so edits made meanwhile are there), filtered by what the
 * agent types.
 */
export function useCannedPicker(api: AgentApi, ticketId: number) {
  const [open, setOpen] = useState(false);
  const [replies, setReplies] = useState<TicketCannedReply[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [filter, setFilter] = useState('');

  const load = useCallback(async () => {
    setError(null);
    try {
      setReplies((await api.ticketCannedReplies(ticketId)).replies);
    } catch (failure) {
      setError((failure as Error).message);
    }
  }, [api, ticketId]);

  const shown = useMemo(() => {
    const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
    return (replies ?? []).filter((reply) => {
      const haystack = `${reply.title}\n${reply.text}\n${reply.category ?? ''}`.toLowerCase();
      return words.every((word) => haystack.includes(word));
    });
  }, [replies, filter]);

  return {
    open,
    loading: open && replies === null && error === null,
    error,
    filter,
    setFilter,
    replies: shown,
    total: replies?.length ?? 0,
    toggle: () => {
      haptics.tap();
      setOpen((current) => {
        if (!current) void load();
        return !current;
      });
    },
    close: () => {
      setOpen(false);
      setFilter('');
    },
    retry: () => void load(),
  };
}
