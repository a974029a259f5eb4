import { LockMode } from '@mikro-orm/core';
import { Message, SupportSession, Ticket } from '../db/entities/index.ts';
import type { EntityManager } from '../db/orm.ts';
import { DomainError, NotFound } from './errors.ts';
import type { MessageFields, TicketFields } from './views.ts';

/**
 * What storing a visitor's message produced: the message and its ticket (with its agent), as entities or
 * as read from their rows. `duplicate`: its client id was stored before: this is that message, nothing
 * new was written; `deleted`: the visitor has deleted that message since.
 */
export type StoredVisitorMessage = {
  sessionId: string;
  ticket: TicketFields;
  message: MessageFields;
  ticketCreated: boolean;
  duplicate?: boolean;
  deleted?: boolean;
};

/** `clientId`: the client's id for this send (kept across its retries), stored once per session. */
export type VisitorMessageRow = {
  sessionId: string;
  body: string;
  category?: string;
  mediaUrl?: string;
  clientId?: string;
};

/** A client id sent again with another message than the one stored under it: a client's mistake. */
export class ClientIdReused extends DomainError {
  constructor() {
    super('conflict', 'client_id: already used for another message of this session');
  }
}

/**
 * One statement for a group of messages (in `input`, numbered by `ord`): the sessions' open tickets
 * locked (in id order, so that two groups never wait on each other in a circle), the messages inserted
 * on them in order, the sessions' `last_seen_at` moved; back, per message in order: whether its session
 * exists, and the stored message with its ticket and the ticket's agent (null without an open ticket).
 * Locking a ticket orders its messages after a claim (or another message) committing on it: they then
 * go to the agent who won, and message ids commit in order. Tickets are locked before session rows are
 * written, as the other paths do.
 *
 * A message with a `client_id` (the widget's id for a send, kept across its retries) is stored once per
 * session: one stored `earlier` (committed before this statement) is answered instead, with its ticket,
 * and the same id twice in the group is inserted once (`duplicate` for the later ones). One that a
 * concurrent transaction stored a moment ago (committed while this statement ran: the unique index makes
 * this insert wait for it and then skip, but the statement's snapshot does not show it) comes back with
 * `raced` set and no message: read it with a statement of its own (readBackByClientIds). A session's
 * messages without a client id are matched to their rows by their order.
 */
const APPEND_TO_OPEN_TICKETS = `
with input as (
  select * from json_to_recordset(?::json)
    as input(ord int, session_id uuid, body text, media_url text, client_id uuid)
), earlier as (
  select * from messages
   where client_id is not null
     and (session_id, client_id) in (select session_id, client_id from input where client_id is not null)
), ticket as (
  select * from tickets
   where session_id in (select session_id from input) and status <> 'closed'
   order by id for update
), message as (
  insert into messages (ticket_id, session_id, sender, body, media_url, client_id, created_at)
  select ticket.id, ticket.session_id, 'visitor', input.body, input.media_url, input.client_id, now()
    from input join ticket on ticket.session_id = input.session_id
   where not exists (
     select 1 from earlier where earlier.session_id = input.session_id and earlier.client_id = input.client_id)
   order by input.ord
  on conflict (session_id, client_id) where client_id is not null do nothing
  returning *
), seen as (
  update support_sessions set last_seen_at = now() where id in (select session_id from message)
), numbered_message as (
  select *, row_number() over (partition by session_id, client_id order by id) as nth from message
)
select
  exists (select 1 from support_sessions where id = input.session_id) as session_exists,
  stored.message,
  coalesce(stored.duplicate, false) as duplicate,
  input.client_id is not null and stored.message is null and t.id is not null as raced,
  coalesce(to_jsonb(other), to_jsonb(t)) as ticket,
  (select to_jsonb(agents) from agents
    where agents.id = case when other.id is null then t.assigned_agent_id else other.assigned_agent_id end
  ) as agent
from (select *, row_number() over (partition by session_id, client_id order by ord) as nth from input) input
left join ticket t on t.session_id = input.session_id
left join lateral (
  select to_jsonb(m) - 'nth' as message, m.ticket_id, input.client_id is not null and input.nth > 1 as duplicate
    from numbered_message m
   where m.session_id = input.session_id and m.client_id is not distinct from input.client_id
     and (input.client_id is not null or m.nth = input.nth)
  union all
  select to_jsonb(e), e.ticket_id, true from earlier e
   where e.session_id = input.session_id and e.client_id = input.client_id
  limit 1
) stored on true
left join tickets other on other.id = stored.ticket_id and other.id is distinct from t.id
order by input.ord`;

type Row = Record<string, unknown>;
type AppendedRow = {
  session_exists: boolean;
  message: Row | string | null;
  duplicate: boolean;
  raced: boolean;
  ticket: Row | string | null;
  agent: Row | string | null;
};

/** A JSON column arrives parsed on PostgreSQL and PGlite alike; text if a driver leaves it as text. */
const json = (value: Row | string | null): Row | null =>
  typeof value === 'string' ? (JSON.parse(value) as Row) : value;

/** A timestamp of a row in JSON (`to_jsonb` writes ISO 8601), or null. */
const dateOf = (value: unknown): Date | null => (value == null ? null : new Date(value as string));

/**
 * The stored message and its ticket (with its agent) from their rows in JSON, as plain fields: what the
 * API's views and the deliveries need. Not ORM entities: making those (hydration, the identity map, the
 * flush's change sets) cost about a tenth of the server's CPU per message. A visitor's message has no agent.
 */
const mapStored = (row: Omit<AppendedRow, 'session_exists' | 'raced'>): StoredVisitorMessage | null => {
  const message = json(row.message);
  const ticket = json(row.ticket);
  if (!message || !ticket) return null;
  const agent = json(row.agent);
  return {
    sessionId: message.session_id as string,
    ticket: {
      id: ticket.id as number,
      status: ticket.status as TicketFields['status'],
      category: (ticket.category as string | null) ?? null,
      createdAt: new Date(ticket.created_at as string),
      claimedAt: dateOf(ticket.claimed_at),
      closedAt: dateOf(ticket.closed_at),
      rating: (ticket.rating as number | null) ?? null,
      contactRequestedAt: dateOf(ticket.contact_requested_at),
      version: ticket.version as number,
      assignedAgent: agent ? { id: agent.id as number, name: agent.name as string } : null,
    },
    message: {
      id: message.id as number,
      ticket: { id: message.ticket_id as number },
      sender: message.sender as MessageFields['sender'],
      body: message.body as string,
      mediaUrl: (message.media_url as string | null) ?? null,
      createdAt: new Date(message.created_at as string),
      editedAt: dateOf(message.edited_at),
      agentReaction: (message.agent_reaction as string | null) ?? null,
      visitorReaction: (message.visitor_reaction as string | null) ?? null,
      systemEvent: (message.system_event as MessageFields['systemEvent']) ?? null,
      clientId: (message.client_id as string | null) ?? null,
      agent: null,
    },
    ticketCreated: false,
    duplicate: row.duplicate,
    deleted: message.deleted_at != null,
  };
};

/**
 * Adds each message to its session's open ticket, in `tx`, in one statement (two when a concurrent
 * transaction stored one of the group's client ids a moment ago). Per message, in order: what was
 * stored, or what was stored before under its client id (`duplicate`); `null`: the session has no open
 * ticket (nothing was written for it); `'no session'`: the session does not exist.
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
    client_id: message.clientId ?? null,
  }));
  const rows = await tx.execute<AppendedRow[]>(APPEND_TO_OPEN_TICKETS, [JSON.stringify(input)]);
  const raced = inputs.filter((_, index) => rows[index]?.raced);
  const readBack = raced.length ? await readBackByClientIds(tx, raced) : [];
  return rows.map((row, index) => {
    if (!row.session_exists) return 'no session';
    if (!row.raced) return mapStored(row);
    const { sessionId, clientId } = inputs[index] as VisitorMessageRow;
    return (
      readBack.find((stored) => stored.sessionId === sessionId && stored.message.clientId === clientId) ??
      null
    );
  });
}

/** The messages stored under these sessions' client ids, with their tickets (in `em`), as duplicates. */
const READ_BACK_BY_CLIENT_IDS = `
select to_jsonb(m) as message, true as duplicate, to_jsonb(t) as ticket,
  (select to_jsonb(agents) from agents where agents.id = t.assigned_agent_id) as agent
  from messages m join tickets t on t.id = m.ticket_id
 where m.client_id is not null and (m.session_id, m.client_id) in (
   select session_id, client_id from json_to_recordset(?::json) as input(session_id uuid, client_id uuid))`;

/**
 * What was stored under each input's client id (a send whose first answer was lost, or one a concurrent
 * request stored), as duplicates; inputs without a client id or with nothing stored are left out.
 */
export async function readBackByClientIds(
  em: EntityManager,
  inputs: Pick<VisitorMessageRow, 'sessionId' | 'clientId'>[],
): Promise<StoredVisitorMessage[]> {
  const keys = inputs.flatMap((input) =>
    input.clientId ? [{ session_id: input.sessionId, client_id: input.clientId }] : [],
  );
  if (!keys.length) return [];
  const rows = await em.execute<AppendedRow[]>(READ_BACK_BY_CLIENT_IDS, [JSON.stringify(keys)]);
  return rows.flatMap((row) => mapStored(row) ?? []);
}

/**
 * Opens a ticket for the session (it has none open) with the message, in `tx`. Two first messages at
 * once: the database's one-open-ticket-per-session index refuses the second (the caller retries it,
 * and it then finds the ticket open); a client id stored before: its unique index refuses it (the
 * caller then reads what was stored, readBackByClientIds).
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
    clientId: input.clientId ?? null,
  });
  session.lastSeenAt = new Date();
  await tx.flush();
  return { sessionId: input.sessionId, ticket, message, ticketCreated };
}
