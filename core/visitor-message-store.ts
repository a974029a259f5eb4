import { LockMode } from '@mikro-orm/core';
import { Agent, Message, SupportSession, Ticket } from '../db/entities/index.ts';
import type { EntityManager } from '../db/orm.ts';
import { NotFound } from './errors.ts';

/** What storing a visitor's message produced, as entities of the transaction's entity manager. */
export type StoredVisitorMessage = { ticket: Ticket; message: Message; ticketCreated: boolean };

export type VisitorMessageRow = { sessionId: string; body: string; category?: string; mediaUrl?: string };

/**
 * One statement: the session's open ticket locked, the message inserted on it, the session's
 * `last_seen_at` moved, and back the message, the ticket and its agent. Locking the ticket orders this
 * message after a claim (or another message) committing on it: the message then goes to the agent who
 * won, and message ids commit in order. The ticket is locked before the session row is written, as the
 * other paths do.
 */
const APPEND_TO_OPEN_TICKET = `
with ticket as (
  select * from tickets where session_id = ? and status <> 'closed' for update
), message as (
  insert into messages (ticket_id, session_id, sender, body, media_url, created_at)
  select ticket.id, ticket.session_id, 'visitor', ?, ?, now() from ticket
  returning *
), seen as (
  update support_sessions set last_seen_at = now() from message where support_sessions.id = message.session_id
)
select
  exists (select 1 from support_sessions where id = ?) as session_exists,
  (select row_to_json(message) from message) as message,
  (select row_to_json(ticket) from ticket) as ticket,
  (select row_to_json(agents) from agents join ticket on agents.id = ticket.assigned_agent_id) as agent`;

type Row = Record<string, unknown>;
type AppendResult = {
  session_exists: boolean;
  message: Row | string | null;
  ticket: Row | string | null;
  agent: Row | string | null;
};

/** A JSON column arrives parsed on PostgreSQL and PGlite alike; text if a driver leaves it as text. */
const json = (value: Row | string | null): Row | null =>
  typeof value === 'string' ? (JSON.parse(value) as Row) : value;

/**
 * Adds the message to the session's open ticket, in `tx`. `null`: the session has no open ticket
 * (nothing was written); `'no session'`: the session does not exist.
 */
export async function appendToOpenTicket(
  tx: EntityManager,
  input: VisitorMessageRow,
): Promise<StoredVisitorMessage | null | 'no session'> {
  const [row] = await tx.execute<AppendResult[]>(APPEND_TO_OPEN_TICKET, [
    input.sessionId,
    input.body,
    input.mediaUrl ?? null,
    input.sessionId,
  ]);
  if (!row?.session_exists) return 'no session';
  const message = json(row.message);
  const ticket = json(row.ticket);
  if (!message || !ticket) return null;
  const agent = json(row.agent);
  // The agent first: the ticket's reference to it then is this loaded agent (its name is shown).
  if (agent) tx.map(Agent, agent);
  return { ticket: tx.map(Ticket, ticket), message: tx.map(Message, message), ticketCreated: false };
}

/**
 * Opens a ticket for the session (it has none open) with the message, in `tx`. Two first messages at
 * once: the database's one-open-ticket-per-session index refuses the second (the caller retries it,
 * and it then finds the ticket open).
 */
export async function openTicketWith(
  tx: EntityManager,
  input: VisitorMessageRow,
): Promise<StoredVisitorMessage> {
  const session = await tx.findOne(SupportSession, input.sessionId);
  if (!session) throw new NotFound('Session');
  // Locked, as appendToOpenTicket does: a ticket opened since that statement is found here.
  let ticket = await tx.findOne(
    Ticket,
    { session, status: { $ne: 'closed' } },
    { lockMode: LockMode.PESSIMISTIC_WRITE },
  );
  if (ticket) await tx.populate(ticket, ['assignedAgent']);
  const ticketCreated = !ticket;
  ticket ??= tx.create(Ticket, { session, category: input.category ?? null });
  const message = tx.create(Message, {
    ticket,
    session,
    sender: 'visitor',
    body: input.body,
    mediaUrl: input.mediaUrl ?? null,
  });
  session.lastSeenAt = new Date();
  await tx.flush();
  return { ticket, message, ticketCreated };
}
