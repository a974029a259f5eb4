import { Agent, Message, Ticket } from '../db/entities/index.ts';
import type { EntityManager } from '../db/orm.ts';
import { Forbidden, NotFound, TicketClosed } from './errors.ts';

export type AgentMessageRow = {
  ticketId: number;
  agentId: number;
  body: string;
  mediaUrl?: string;
  /** The agent's Telegram message it came from (absent for the Mini App). */
  telegram?: { chatId: number; threadId: number | null; messageId: number };
  /**
   * The Telegram update it came in: recorded as handled by the same statement when the message is stored
   * (or found stored before), so the bot's exactly-once handling costs no statement of its own.
   */
  updateId?: number;
};

/**
 * One statement (it commits by itself): unless this Telegram message of the agent was stored before,
 * the ticket is locked and, when it is open and assigned to this agent, the message inserted with its
 * link to the Telegram message; when a message is stored (new or the earlier copy), the Telegram update
 * recorded as handled; back, the stored message, its ticket and the agents to show. Two copies at the same moment: the links' unique (chat, message id) refuses the
 * second, and nothing of it is written.
 */
const STORE_AGENT_MESSAGE = `
with existing as (
  select message_id from telegram_messages
   where ?::boolean and chat_id = ? and tg_message_id = ? and role = 'agent' and message_id is not null
), ticket as (
  select * from tickets where id = ? and not exists (select 1 from existing) for update
), message as (
  insert into messages (ticket_id, session_id, sender, agent_id, body, media_url, tg_message_id, created_at)
  select id, session_id, 'agent', assigned_agent_id, ?, ?, ?, now() from ticket
   where status <> 'closed' and assigned_agent_id = ?
  returning *
), link as (
  insert into telegram_messages (ticket_id, message_id, chat_id, thread_id, tg_message_id, role, created_at)
  select ticket_id, id, ?, ?, ?, 'agent', now() from message where ?::boolean
), stored as (
  select *, false as duplicate from message
  union all
  select messages.*, true from messages join existing on messages.id = existing.message_id
), handled as (
  insert into processed_telegram_updates (update_id, received_at, processed_at, payload)
  select ?::bigint, now(), now(), null where ?::boolean and exists (select 1 from stored)
  on conflict (update_id) do update set processed_at = excluded.processed_at, payload = null
), shown_ticket as (
  select * from ticket where not exists (select 1 from existing)
  union all
  select tickets.* from tickets join stored on tickets.id = stored.ticket_id where stored.duplicate
)
select
  (select to_jsonb(stored) - 'duplicate' from stored limit 1) as message,
  (select duplicate from stored limit 1) as duplicate,
  (select to_jsonb(shown_ticket) from shown_ticket limit 1) as ticket,
  (select jsonb_agg(to_jsonb(agents)) from agents
    where id in (select assigned_agent_id from shown_ticket union select agent_id from stored)) as agents`;

type Row = Record<string, unknown>;
type StoreResult = {
  message: Row | null;
  duplicate: boolean | null;
  ticket: Row | null;
  agents: Row[] | null;
};

/**
 * The stored message and its ticket, as entities of `em`; `duplicate`: stored before, from the same
 * Telegram message; `updateRecorded`: the input's `updateId` was recorded as handled.
 */
export type StoredAgentMessage = {
  message: Message;
  ticket: Ticket;
  duplicate: boolean;
  updateRecorded: boolean;
};

/**
 * Stores an agent's reply on a ticket assigned to them (see STORE_AGENT_MESSAGE). Refused: NotFound (no
 * such ticket), TicketClosed, Forbidden (not the agent's).
 */
export async function storeAgentMessage(
  em: EntityManager,
  input: AgentMessageRow,
): Promise<StoredAgentMessage> {
  const telegram = input.telegram;
  const [row] = await em.execute<StoreResult[]>(STORE_AGENT_MESSAGE, [
    Boolean(telegram),
    telegram?.chatId ?? null,
    telegram?.messageId ?? null,
    input.ticketId,
    input.body,
    input.mediaUrl ?? null,
    telegram?.messageId ?? null,
    input.agentId,
    telegram?.chatId ?? null,
    telegram?.threadId ?? null,
    telegram?.messageId ?? null,
    Boolean(telegram),
    input.updateId ?? null,
    input.updateId !== undefined,
  ]);
  const json = <T>(value: T | string | null | undefined): T | null =>
    typeof value === 'string' ? (JSON.parse(value) as T) : (value ?? null);
  // The agents first: the ticket's and the message's references to them are then these loaded agents.
  for (const agent of json<Row[]>(row?.agents) ?? []) em.map(Agent, agent);
  const ticketRow = json<Row>(row?.ticket);
  if (!ticketRow) throw new NotFound('Ticket');
  const ticket = em.map(Ticket, ticketRow);
  const messageRow = json<Row>(row?.message);
  if (!messageRow) {
    if (ticket.status === 'closed') throw new TicketClosed(ticket.id);
    throw new Forbidden(`Ticket #${ticket.id} is not assigned to you`);
  }
  return {
    message: em.map(Message, messageRow),
    ticket,
    duplicate: Boolean(row?.duplicate),
    updateRecorded: input.updateId !== undefined,
  };
}
