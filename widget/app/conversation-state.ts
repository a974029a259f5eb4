import type { ConversationResponse, MessageView, TicketView } from '../../contract/api.ts';
import { isOlderTicket, newerTicket } from '../../contract/ticket-version.ts';

/** What the widget knows of its conversation; changed only by the pure functions below. */
export type ConversationState = {
  messages: MessageView[];
  tickets: TicketView[];
  /** The latest ticket (the open one, if any); null before the first message. */
  ticket: TicketView | null;
  contact: ConversationResponse['contact'];
  /** The cursor of the last answer of GET /api/session/:id (`?since=` asks what changed after it). */
  revision: number | null;
  /**
   * Messages the widget learnt were deleted (an event, a poll's answer): a deletion is final, so a copy
   * that arrives after it (a retried send's or another instance's late event, a poll started before it)
   * is not shown again.
   */
  deletedIds: readonly number[];
};

export const emptyConversation: ConversationState = {
  messages: [],
  tickets: [],
  ticket: null,
  contact: null,
  revision: null,
  deletedIds: [],
};

/** The id to resume after: the newest message the widget has. */
export const lastMessageId = (state: ConversationState) => state.messages.at(-1)?.id;

/**
 * Adds messages, keeping them in id order, each once — whichever way (stream, poll, send) they came — and
 * none deleted before.
 */
export function withMessages(state: ConversationState, incoming: MessageView[]): ConversationState {
  const known = new Set([...state.messages.map((message) => message.id), ...state.deletedIds]);
  const fresh = incoming.filter((message) => !known.has(message.id));
  if (fresh.length === 0) return state;
  const messages = [...state.messages, ...fresh].sort((a, b) => a.id - b.id);
  return { ...state, messages };
}

/** The ids of deleted messages, with `ids` added. */
const deletedWith = (state: ConversationState, ids: number[]) => [...new Set([...state.deletedIds, ...ids])];

/** A message changed (edited, reactions): the new version replaces the one shown. */
export function withUpdated(state: ConversationState, updated: MessageView): ConversationState {
  if (!state.messages.some((message) => message.id === updated.id)) return state;
  return {
    ...state,
    messages: state.messages.map((message) => (message.id === updated.id ? updated : message)),
  };
}

/** A message was deleted by its author. */
export function withoutMessage(state: ConversationState, messageId: number): ConversationState {
  return {
    ...state,
    messages: state.messages.filter((message) => message.id !== messageId),
    deletedIds: deletedWith(state, [messageId]),
  };
}

/**
 * A ticket's new state; the latest ticket (highest id) is the current one. An older state than the one
 * shown (a lower `version`: another instance's event arriving late) is dropped.
 */
export function withTicket(state: ConversationState, ticket: TicketView): ConversationState {
  const known = state.tickets.find((candidate) => candidate.id === ticket.id);
  if (isOlderTicket(known, ticket)) return state;
  const tickets = known
    ? state.tickets.map((candidate) => (candidate.id === ticket.id ? ticket : candidate))
    : [...state.tickets, ticket].sort((a, b) => a.id - b.id);
  return { ...state, tickets, ticket: tickets.at(-1) ?? null };
}

/**
 * An answer of GET /api/session/:id, whole or with `?since=` (what changed): its messages are added or
 * replace the versions shown, the ones deleted since go, and its cursor is kept for the next `since`.
 * The same message may come again (an answer's cursor is conservative): applying it twice changes nothing.
 */
export function withResponse(state: ConversationState, response: ConversationResponse): ConversationState {
  const changed = new Map(response.messages.map((message) => [message.id, message]));
  const deleted = new Set(response.deleted_message_ids);
  const kept = state.messages
    .filter((message) => !deleted.has(message.id))
    .map((message) => changed.get(message.id) ?? message);
  const merged = withMessages(
    { ...state, messages: kept, deletedIds: deletedWith(state, response.deleted_message_ids) },
    response.messages,
  );
  // Each ticket as the answer has it, unless a newer state came meanwhile (an event during the request).
  const shown = new Map(state.tickets.map((ticket) => [ticket.id, ticket]));
  const tickets = response.tickets.map((ticket) => newerTicket(shown.get(ticket.id), ticket));
  const latest = response.ticket && newerTicket(shown.get(response.ticket.id), response.ticket);
  return {
    ...merged,
    tickets,
    ticket: latest,
    contact: response.contact,
    revision: response.revision,
  };
}
