import { LockMode } from '@mikro-orm/core';
import { Agent, Message, SupportSession, Ticket } from '../db/entities/index.ts';
import type { EntityManager } from '../db/orm.ts';
import { NotFound } from './errors.ts';

/** What storing a visitor's message produced, as entities of the transaction's entity manager. */
export type StoredVisitorMessage = { ticket: Ticket; message: Message; ticketCreated: boolean };

export type VisitorMessageRow = { sessionId: string; body: string; category?: string; mediaUrl?: string };

/**
 * One statement for a group of messages (in `input`, numbered by `ord`): the sessions' open tickets
 * locked (in id order, so that two groups never wait on each other in a circle), the messages inserted
 * on them in order, the sessions' `last_seen_at` moved; back, per message in order: whether its session
 * exists, and the stored message with its ticket and the ticket's agent (null without an open ticket).
 * Locking a ticket orders its messages after a claim (or another message) committing on it: they then
 * go to the agent who won, and message ids commit in order. Tickets are locked before session rows are
 * written, as the other paths do. A session's messages are matched to their rows by their order.
 */
const APPEND_TO_OPEN_TICKETS = `
with input as (
  select * from json_to_recordset(?::json) as input(ord int, session_id uuid, body text, media_url text)
), ticket as (
  select * from tickets
   where session_id in (select session_id from input) and status <> 'closed'
   order by id for update
), message as (
  insert into messages (ticket_id, session_id, sender, body, media_url, created_at)
  select ticket.id, ticket.session_id, 'visitor', input.body, input.media_url, now()
    from input join ticket on ticket.session_id = input.session_id
   order by input.ord
  returning *
), seen as (
  update support_sessions set last_seen_at = now() where id in (select session_id from message)
)
select
  exists (select 1 from support_sessions where id = input.session_id) as session_exists,
  to_jsonb(m) - 'nth' as message,
  to_jsonb(t) as ticket,
  (select to_jsonb(agents) from agents where agents.id = t.assigned_agent_id) as agent
from (select *, row_number() over (partition by session_id order by ord) as nth from input) input
left join ticket t on t.session_id = input.session_id
left join (select *, row_number() over (partition by session_id order by id) as nth from message) m
  on m.session_id = input.session_id and m.nth = input.nth
order by input.ord`;

type Row = Record<string, unknown>;
type AppendedRow = {
  session_exists: boolean;
  message: Row | string | null;
  ticket: Row | string | null;
  agent: Row | string | null;
};

/** A JSON column arrives parsed on PostgreSQL and PGlite alike; text if a driver leaves it as text. */
const json = (value: Row | string | null): Row | null =>
  typeof value === 'string' ? (JSON.parse(value) as Row) : value;

/**
 * Adds each message to its session's open ticket, in `tx`, in one statement. Per message, in order:
 * what was stored; `null`: the session has no open ticket (nothing was written for it); `'no session'`:
 * the session does not exist.
 */
export async function appendToOpenTickets(
  tx: EntityManager,
  inputs: VisitorMessageRow[],
): Promise<(StoredVisitorMessage | null | 'no session')[]> {
  const input = inputs.map((message, ord) => ({
    ord,
    session_id: message.sessionId,
    body: message.body,
    media_url: message.mediaUrl ?? null,
  }));
  const rows = await tx.execute<AppendedRow[]>(APPEND_TO_OPEN_TICKETS, [JSON.stringify(input)]);
  return rows.map((row) => {
    if (!row.session_exists) return 'no session';
    const message = json(row.message);
    const ticket = json(row.ticket);
    if (!message || !ticket) return null;
    const agent = json(row.agent);
    // The agent first: the ticket's reference to it then is this loaded agent (its name is shown).
    if (agent) tx.map(Agent, agent);
    return { ticket: tx.map(Ticket, ticket), message: tx.map(Message, message), ticketCreated: false };
  });
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
