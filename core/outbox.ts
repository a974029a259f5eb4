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
  /** Tell the agent who claimed a ticket that they are connected, with the history so far. */
  | { type: 'agent.connected'; agentId: number; ticketId: number }
  /**
   * The agent's ticket was closed: its topic is marked closed (✅), and the agent is told when the visitor
   * closed it. Jobs queued before `by` existed were the visitor's.
   */
  | { type: 'agent.ticket-closed'; agentId: number; ticketId: number; by?: 'visitor' | 'agent' }
  /** After hours: if still unclaimed, remind the group and ask the visitor for contact details. */
  | { type: 'ticket.after-hours'; ticketId: number }
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
}

/** When no bot is configured: nothing to deliver. */
export const noOutbox: Outbox = { enqueue: async () => {} };
