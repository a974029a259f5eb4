import type { MessageView, Sender, TicketView } from '../contract/api.ts';

export type DomainEvent =
  | { type: 'message.created'; sessionId: string; ticketId: number; message: MessageView }
  | { type: 'ticket.updated'; sessionId: string; ticket: TicketView }
  /** A message's body (edited) or reactions changed. */
  | { type: 'message.updated'; sessionId: string; ticketId: number; message: MessageView }
  /** Its author deleted a message (soft: agents still see it, marked). */
  | { type: 'message.deleted'; sessionId: string; ticketId: number; messageId: number; sender: Sender }
  /** The visitor is typing (ephemeral: the bot shows it in Telegram, throttled). */
  | { type: 'visitor.typing'; sessionId: string; ticketId: number }
  /** The agent is typing in the Mini App (ephemeral: the visitor's stream shows it). */
  | { type: 'agent.typing'; sessionId: string; ticketId: number; agentName: string };

export type EventListener = (event: DomainEvent) => void;

/** Publishes domain events after their transaction committed. Listeners subscribe to one session or to all. */
export interface EventBus {
  publish(event: DomainEvent): void;
  subscribe(sessionId: string | '*', listener: EventListener): () => void;
}

/** The in-process bus: one map lookup per event, however many sessions are listening. */
export function createInProcessEventBus(onListenerError: (error: unknown) => void = () => {}): EventBus {
  const listeners = new Map<string, Set<EventListener>>();
  const notify = (key: string, event: DomainEvent) => {
    for (const listener of listeners.get(key) ?? []) {
      try {
        listener(event);
      } catch (error) {
        onListenerError(error);
      }
    }
  };
  return {
    publish(event) {
      notify(event.sessionId, event);
      notify('*', event);
    },
    subscribe(sessionId, listener) {
      const set = listeners.get(sessionId) ?? new Set<EventListener>();
      listeners.set(sessionId, set);
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0 && listeners.get(sessionId) === set) listeners.delete(sessionId);
      };
    },
  };
}
