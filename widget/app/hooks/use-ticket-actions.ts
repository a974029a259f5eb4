import { useCallback, useState } from 'react';
import type { ContactRequest, ConversationResponse, TicketView } from '../../../contract/api.ts';
import { ApiError, type VisitorApi, type VisitorCredentials } from '../api/visitor-api.ts';

export type ActionState = 'idle' | 'saving' | 'failed';

/** What the visitor does to a ticket: end it, rate it, leave contact details. */
export function useTicketActions(
  api: VisitorApi,
  credentials: VisitorCredentials | null,
  {
    onTicket,
    onContact,
  }: { onTicket(ticket: TicketView): void; onContact(contact: ConversationResponse['contact']): void },
) {
  const [closing, setClosing] = useState<ActionState>('idle');
  const [rating, setRating] = useState<ActionState>('idle');
  const [contact, setContact] = useState<ActionState>('idle');
  const [contactError, setContactError] = useState<string | null>(null);
  const [categoryChange, setCategoryChange] = useState<ActionState>('idle');

  const run = useCallback(
    async <T>(setState: (state: ActionState) => void, action: (auth: VisitorCredentials) => Promise<T>) => {
      if (!credentials) return undefined;
      setState('saving');
      try {
        const result = await action(credentials);
        setState('idle');
        return result;
      } catch (error) {
        setState('failed');
        throw error;
      }
    },
    [credentials],
  );

  const endConversation = useCallback(
    (ticketId: number) =>
      run(setClosing, (auth) => api.closeTicket(auth, ticketId))
        .then((response) => response && onTicket(response.ticket))
        .catch(() => {}),
    [api, run, onTicket],
  );

  const rate = useCallback(
    (ticketId: number, stars: number, comment: string) =>
      run(setRating, (auth) =>
        api.rateTicket(auth, ticketId, { rating: stars, comment: comment.trim() || undefined }),
      )
        .then((response) => response && onTicket(response.ticket))
        .catch(() => {}),
    [api, run, onTicket],
  );

  const saveContact = useCallback(
    (details: { email: string; phone: string }) => {
      const request: ContactRequest = {
        email: details.email.trim() || undefined,
        phone: details.phone.trim() || undefined,
      };
      setContactError(null);
      return run(setContact, (auth) => api.saveContact(auth, request))
        .then(() => onContact({ email: request.email ?? null, phone: request.phone ?? null }))
        .catch((error: unknown) =>
          setContactError(error instanceof ApiError && error.status === 400 ? 'invalid' : 'failed'),
        );
    },
    [api, run, onContact],
  );

  /** The waiting conversation's topic changes (before an agent takes it; after, the server refuses). */
  const changeCategory = useCallback(
    (ticketId: number, category: string | null) =>
      run(setCategoryChange, (auth) => api.setCategory(auth, ticketId, category))
        .then((response) => response && onTicket(response.ticket))
        .catch(() => {}),
    [api, run, onTicket],
  );

  return {
    closing,
    rating,
    contact,
    contactError,
    categoryChange,
    endConversation,
    rate,
    saveContact,
    changeCategory,
  };
}
