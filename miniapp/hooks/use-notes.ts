import { useEffect, useState } from 'react';
import type { TicketNoteView } from '../../contract/notes-api.ts';
import type { AgentApi } from '../api/agent-api.ts';
import { haptics } from './telegram.ts';
import type { AgentEvents } from './use-agent-events.ts';
import { useResource } from './use-resource.ts';

const NOTES_REFRESH_MS = 20_000;

/**
 * A ticket's internal notes (agents only): loaded with the ticket, refetched when it changes (and every
 * 20 s), and the agent's "Add note".
 */
export function useNotes(api: AgentApi, events: AgentEvents, ticketId: number) {
  const notes = useResource(() => api.notes(ticketId).then((answer) => answer.notes), `${ticketId}`);
  const { reloadSoon, set } = notes;
  const [adding, setAdding] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(
    () =>
      events.subscribe((event) => {
        if (
          event.type === 'ready' ||
          (event.type === 'ticket' && event.data.id === ticketId) ||
          (event.type === 'message' && event.data.ticket_id === ticketId)
        ) {
          reloadSoon();
        }
      }),
    [events, reloadSoon, ticketId],
  );

  // Notes written in Telegram (`/note`) publish no live event: looked for every 20 s while the app is shown.
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') reloadSoon();
    }, NOTES_REFRESH_MS);
    return () => clearInterval(timer);
  }, [reloadSoon]);

  return {
    notes: notes.data ?? ([] as TicketNoteView[]),
    adding,
    error: error ?? (notes.error && !notes.data ? `Notes could not be loaded: ${notes.error.message}` : null),
    dismissError: () => setError(null),
    /** Adds a note; true once it is stored (the draft may then be cleared). */
    async add(body: string) {
      setAdding(true);
      setError(null);
      try {
        const { note } = await api.addNote(ticketId, body);
        set([...(notes.data ?? []).filter((existing) => existing.id !== note.id), note]);
        haptics.success();
        return true;
      } catch (failure) {
        setError((failure as Error).message);
        haptics.error();
        return false;
      } finally {
        setAdding(false);
      }
    },
  };
}
