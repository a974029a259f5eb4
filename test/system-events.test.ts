import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageView } from '../contract/api.ts';
import { createInProcessEventBus, type DomainEvent } from '../core/event-bus.ts';
import { createServices, type Services } from '../core/services.ts';
import { createOrm, migrate, type Orm } from '../db/orm.ts';
import { createTestDatabase, databaseKind } from './support/database.ts';
import { createTestOrm, inContext } from './support/test-app.ts';

/**
 * Issue 14 §3: system messages carry what happened as a code with parameters (`event`), which the widget
 * words in the visitor's language; `body` stays the English text (older clients, transcript, Telegram).
 */
describe(`system messages carry event codes (${databaseKind})`, () => {
  let orm: Orm;
  let close: () => Promise<void>;
  let services: Services;
  const events: DomainEvent[] = [];
  const run = <T>(fn: () => Promise<T>) => inContext(orm, fn);
  let nextChatId = 7000;
  const newAgent = (name: string) =>
    run(() => services.agents.upsert({ tgChatId: nextChatId++, name, tgUsername: null }));
  const newTicket = async () => {
    const sessionId = await run(() => services.sessions.createSession({}));
    const sent = await run(() => services.messages.sendVisitorMessage({ sessionId, body: 'Help please' }));
    return { sessionId, ticketId: sent.ticket.id };
  };
  const systemMessages = async (sessionId: string) =>
    (await run(() => services.sessions.getConversation(sessionId))).messages
      .filter((message) => message.sender === 'system')
      .map((message) => ({ body: message.body, event: message.event }));
  const published = () =>
    events.flatMap((event) =>
      event.type === 'message.created' && event.message.sender === 'system'
        ? [(event.message as MessageView).event]
        : [],
    );

  beforeAll(async () => {
    ({ orm, close } = await createTestOrm());
    const bus = createInProcessEventBus();
    bus.subscribe('*', (event) => events.push(event));
    services = createServices({ em: orm.em, bus });
  });
  afterAll(() => close?.());

  it('claim → agent_joined, close by the agent → closed_by_agent (stored, shown and published)', async () => {
    const alice = await newAgent('Alice Smith');
    const { sessionId, ticketId } = await newTicket();
    events.length = 0;
    await run(() => services.tickets.claim(ticketId, alice.id));
    await run(() => services.tickets.close(ticketId, { kind: 'agent', agentId: alice.id }));
    const expected = [
      {
        body: 'Alice Smith joined the conversation',
        event: { code: 'agent_joined', params: { agent_name: 'Alice Smith' } },
      },
      {
        body: 'Conversation closed by Alice Smith',
        event: { code: 'closed_by_agent', params: { agent_name: 'Alice Smith' } },
      },
    ];
    expect(await systemMessages(sessionId)).toEqual(expected);
    expect(published()).toEqual(expected.map((message) => message.event));
  });

  it('close by the visitor → closed_by_visitor; visitor and agent messages have no event', async () => {
    const { sessionId, ticketId } = await newTicket();
    await run(() => services.tickets.close(ticketId, { kind: 'visitor', sessionId }));
    expect(await systemMessages(sessionId)).toEqual([
      { body: 'Conversation closed by the visitor', event: { code: 'closed_by_visitor', params: {} } },
    ]);
    const conversation = await run(() => services.sessions.getConversation(sessionId));
    expect(conversation.messages.find((message) => message.sender === 'visitor')?.event).toBeNull();
  });

  it('after hours, a ticket still waiting asks for contact details → contact_requested', async () => {
    const { sessionId, ticketId } = await newTicket();
    expect(await run(() => services.tickets.afterHours(ticketId))).toEqual({ stillWaiting: true });
    expect(await systemMessages(sessionId)).toEqual([
      {
        body: 'All our agents are busy right now. Leave your email or phone number and we will get back to you.',
        event: { code: 'contact_requested', params: {} },
      },
    ]);
  });
});

describe(`the system_events migration (${databaseKind})`, () => {
  it('gives existing system messages their code from the English text; others keep none', async () => {
    const database = await createTestDatabase();
    const orm = await createOrm(database.options, { fromTemplate: false });
    try {
      await orm.migrator.up({ to: 'Migration20261130180000_sync' });
      const sql = <T>(query: string, params: unknown[] = []) =>
        orm.em.getConnection().execute<T[]>(query, params);
      const session = '00000000-0000-4000-8000-000000000001';
      await sql(`insert into support_sessions (id) values (?)`, [session]);
      await sql(`insert into tickets (id, session_id) values (1, ?)`, [session]);
      const bodies: [string, string][] = [
        ['system', 'Ann Lee joined the conversation'],
        ['system', 'Conversation closed by the visitor'],
        ['system', 'Conversation closed by Ann Lee'],
        [
          'system',
          'All our agents are busy right now. Leave your email or phone number and we will get back to you.',
        ],
        ['system', 'Something the server once said'],
        ['visitor', 'Bob joined the conversation'],
      ];
      for (const [sender, body] of bodies) {
        await sql(`insert into messages (ticket_id, session_id, sender, body) values (1, ?, ?, ?)`, [
          session,
          sender,
          body,
        ]);
      }
      await migrate(orm);
      const rows = await sql<{ body: string; system_event: unknown }>(
        'select body, system_event from messages order by id',
      );
      expect(rows.map((row) => row.system_event)).toEqual([
        { code: 'agent_joined', params: { agent_name: 'Ann Lee' } },
        { code: 'closed_by_visitor', params: {} },
        { code: 'closed_by_agent', params: { agent_name: 'Ann Lee' } },
        { code: 'contact_requested', params: {} },
        null,
        null,
      ]);
    } finally {
      await orm.close();
      await database.drop();
    }
    // A new cluster migrated in two steps: on PGlite on a busy 2-core machine that alone can take most
    // of the default 30 s.
  }, 90_000);
});
