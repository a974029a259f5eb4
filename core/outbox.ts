import type { EntityManager } from '../db/orm.ts';

/**
 * Telegram work that must not be lost. Core enqueues a job in the same transaction as the change that
 * causes it; a worker delivers it later, retrying with backoff, in order per `chat`.
 */
export type OutboundJob =
  /** Post or refresh the ticket's card in the support group. */
  | { type: 'ticket.card'; ticketId: number }
  /** Send a visitor (or system) message to the agent assigned to its ticket. */
  | { type: 'agent.message'; agentId: number; messageId: number }
  /**
   * Tell the agent who claimed a ticket that they are connected, with the history so far; after a hand-over,
   * who handed it to them and their note.
   */
  | {
      type: 'agent.connected';
      agentId: number;
      ticketId: number;
      /** `noteId`: the hand-over note (a ticket note), read when the job runs. */
      handedOverBy?: { agentName: string; noteId: number | null };
    }
  /**
   * The agent handed their ticket to another (`toAgentName`) or back to the queue (null): they are told, and
   * their place for it (their topic) is closed.
   */
  | { type: 'agent.handed-over'; agentId: number; ticketId: number; toAgentName: string | null }
  /**
   * The agent's ticket was closed: its topic is marked closed (✅), and the agent is told when the visitor
   * closed it. Jobs queued before `by` existed were the visitor's.
   */
  | { type: 'agent.ticket-closed'; agentId: number; ticketId: number; by?: 'visitor' | 'agent' }
  /** After hours: if still unclaimed, remind the group and ask the visitor for contact details. */
  | { type: 'ticket.after-hours'; ticketId: number }
  /** `ASSIGNMENT=auto`: offer the waiting ticket to the next available agent (a timer job, run at once). */
  | { type: 'ticket.assign'; ticketId: number }
  /**
   * `ASSIGNMENT=auto`: who is available changed (a ticket closed, an agent came online or left): offers to
   * agents gone are moved on, waiting tickets offered.
   */
  | { type: 'tickets.assign-waiting' }
  /** The offer's time is up (a timer job, run when it expires): if still live, the next agent is offered it. */
  | { type: 'ticket.offer-expired'; offerId: number }
  /** Show the agent the ticket offered to them, with Accept / Pass. */
  | { type: 'agent.offer'; agentId: number; offerId: number }
  /** The offer ended (accepted, passed, expired, taken back): its message says so, without buttons. */
  | { type: 'agent.offer-ended'; agentId: number; offerId: number }
  /**
   * The visitor's data was erased: rewrite the ticket's card to say so. The ticket row is gone when this
   * runs, so the job carries what the card needs.
   */
  | { type: 'ticket.erased'; ticketId: number; category: string | null; groupMessageId: number }
  /**
   * The visitor edited or deleted a message: its Telegram copies are edited / deleted (or a notice says
   * so), rendered from the message as it is when the job runs. `agentId` (the ticket's agent, when it has
   * one) keeps the job in that agent's queue, after the message's own delivery.
   */
  | { type: 'message.edited'; messageId: number; agentId?: number }
  | { type: 'message.deleted'; messageId: number; agentId?: number }
  /** The visitor's reaction to an agent's message changed: set on the agent's Telegram message. */
  | { type: 'message.reaction'; messageId: number; agentId?: number };

export interface Outbox {
  /** Stores the job inside the transaction `tx`: it exists exactly when the transaction commits. */
  enqueue(tx: EntityManager, job: OutboundJob): Promise<void>;
  /**
   * Stores `jobs` inside `tx`, delivered in this order per chat, as `enqueue` one by one would, at a
   * cost that does not grow with the jobs already waiting (one read, one insert).
   */
  enqueueMany(tx: EntityManager, jobs: OutboundJob[]): Promise<void>;
}

/** When no bot is configured: nothing to deliver. */
export const noOutbox: Outbox = { enqueue: async () => {}, enqueueMany: async () => {} };
