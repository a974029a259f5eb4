import { defineEntity, p } from '@mikro-orm/core';
import type { SystemEvent } from '../../contract/api.ts';
import { Agent } from './agent.entity.ts';
import { SupportSession } from './support-session.entity.ts';
import { Ticket } from './ticket.entity.ts';

/**
 * The writing transaction's id as a bigint (`xid8` casts to bigint only through text), written as
 * PostgreSQL prints the column default back, so the schema diff sees no change.
 */
const CURRENT_TRANSACTION_ID = '((pg_current_xact_id())::text)::bigint';

export const MESSAGE_SENDERS = ['visitor', 'agent', 'system'] as const;

export const MessageSchema = defineEntity({
  name: 'Message',
  tableName: 'messages',
  properties: {
    id: p.integer().primary().autoincrement(),
    ticket: () => p.manyToOne(Ticket).deleteRule('cascade'),
    session: () => p.manyToOne(SupportSession).deleteRule('cascade'),
    sender: p.enum(MESSAGE_SENDERS),
    /** The agent who wrote it, for `sender = 'agent'`. */
    agent: () => p.manyToOne(Agent).nullable().deleteRule('set null'),
    body: p.text(),
    /** For `sender = 'system'`: what happened, as a code with parameters (the body is its English wording). */
    systemEvent: p.json<SystemEvent>().nullable(),
    mediaUrl: p.text().nullable(),
    tgMessageId: p.bigint('number').nullable(),
    /** A visitor message reached the agent (relayed, or shown in the "connected" history). */
    relayedAt: p.datetime().nullable(),
    /** Telegram refused to deliver it for good (too long, blocked, …): skipped, shown to agents, counted. */
    undeliverableAt: p.datetime().nullable(),
    /** Telegram's reason for `undeliverableAt`. */
    deliveryError: p.text().nullable(),
    /** The body was changed after it was sent (by its author: the visitor, or the agent in Telegram). */
    editedAt: p.datetime().nullable(),
    /** Deleted by its author: kept for the agents (marked), gone from the visitor's views. */
    deletedAt: p.datetime().nullable(),
    /** The agent's reaction to it (one emoji), from Telegram. */
    agentReaction: p.text().nullable(),
    /** The visitor's reaction to it (one emoji), from the widget. */
    visitorReaction: p.text().nullable(),
    createdAt: p
      .datetime()
      .defaultRaw('now()')
      .onCreate(() => new Date()),
    /**
     * Which transaction last wrote it (created, edited, deleted, reactions, …): the id of the transaction
     * (`pg_current_xact_id()`), set by the column default and the `revision` trigger, never by the app.
     * The widget's polling asks for what changed since a cursor (core/message-revisions.ts).
     */
    revision: p.bigint('number').defaultRaw(CURRENT_TRANSACTION_ID),
    /**
     * The id the widget gave a visitor's send, kept across its retries: unique per session, so a send
     * retried after a lost answer is answered with this message instead of storing a second copy.
     */
    clientId: p.uuid().nullable(),
  },
  triggers: [
    {
      name: 'revision',
      timing: 'before',
      events: ['update'],
      forEach: 'row',
      body: `new.revision := ${CURRENT_TRANSACTION_ID}; return new`,
    },
  ],
  uniques: [
    {
      name: 'messages_session_id_client_id_unique',
      properties: ['session', 'clientId'],
      where: 'client_id is not null',
    },
  ],
  indexes: [
    // Full-text search (core/search.service.ts; migration 20261201120000): the expression its queries use.
    {
      name: 'messages_body_search_index',
      expression: `create index "messages_body_search_index" on "messages" using gin (to_tsvector('simple'::regconfig, body))`,
    },
    { name: 'messages_ticket_id_created_at_index', properties: ['ticket', 'createdAt'] },
    { name: 'messages_session_id_id_index', properties: ['session', 'id'] },
    // What changed in a session since a revision (the widget's polling).
    { name: 'messages_session_id_revision_index', properties: ['session', 'revision'] },
    // Counting undeliverable messages (the operator's total, the Mini App's Today) reads only those.
    {
      name: 'messages_undeliverable_at_index',
      properties: ['undeliverableAt'],
      where: 'undeliverable_at is not null',
    },
    // A ticket's card: its first and latest visitor messages and their count (migration 20261201150000).
    {
      name: 'messages_visitor_ticket_id_id_index',
      properties: ['ticket', 'id'],
      where: "sender = 'visitor' and deleted_at is null",
    },
    // Today's first replies: the agent messages since the start of the day.
    {
      name: 'messages_agent_created_at_index',
      properties: ['createdAt'],
      where: "sender = 'agent'",
    },
  ],
});

export class Message extends MessageSchema.class {}
MessageSchema.setClass(Message);
