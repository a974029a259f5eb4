import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Forbidden, NotFound, TicketAlreadyClaimed, TicketClosed } from '../core/errors.ts';
import { createInProcessEventBus, type DomainEvent } from '../core/event-bus.ts';
import { createServices, type Services } from '../core/services.ts';
import type { Orm } from '../db/orm.ts';
import { databaseKind } from './support/database.ts';
import { createTestOrm, inContext } from './support/test-app.ts';

let orm: Orm;
let close: () => Promise<void>;
let services: Services;
const events: DomainEvent[] = [];

beforeAll(async () => {
  ({ orm, close } = await createTestOrm());
  const bus = createInProcessEventBus();
  bus.subscribe('*', (event) => events.push(event));
  services = createServices({ em: orm.em, bus });
});
afterAll(() => close?.());

const run = <T>(fn: () => Promise<T>) => inContext(orm, fn);
let nextChatId = 1000;
const newAgent = (name: string) =>
  run(() => services.agents.upsert({ tgChatId: nextChatId++, name, tgUsername: name.toLowerCase() }));
const newTicket = async (body = 'Help please') => {
  const sessionId = await run(() => services.sessions.createSession({}));
  const sent = await run(() => services.messages.sendVisitorMessage({ sessionId, body }));
  return { sessionId, ticketId: sent.ticket.id };
};

describe(`core on ${databaseKind}`, () => {
  it('20 concurrent claims of one ticket: exactly one winner, the others are told who won', async () => {
    const agents = await Promise.all(Array.from({ length: 20 }, (_, i) => newAgent(`Agent${i}`)));
    const { sessionId, ticketId } = await newTicket();
    events.length = 0;

    const results = await Promise.allSettled(
      agents.map((agent) => run(() => services.tickets.claim(ticketId, agent.id))),
    );

    const winners = results.filter((result) => result.status === 'fulfilled');
    const losers = results.filter((result) => result.status === 'rejected');
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(19);
    const winner = (winners[0] as PromiseFulfilledResult<{ agent_name: string | null }>).value.agent_name;
    for (const loser of losers as PromiseRejectedResult[]) {
      expect(loser.reason).toBeInstanceOf(TicketAlreadyClaimed);
      expect(loser.reason.claimedBy).toBe(winner);
    }
    const conversation = await run(() => services.sessions.getConversation(sessionId));
    expect(conversation.ticket).toMatchObject({ status: 'claimed', agent_name: winner });
    expect(conversation.messages.filter((m) => m.sender === 'system')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'ticket.updated')).toHaveLength(1);
  });

  it('claiming again as the winner is a no-op; a closed ticket cannot be claimed', async () => {
    const alice = await newAgent('Alice');
    const { ticketId } = await newTicket();
    await run(() => services.tickets.claim(ticketId, alice.id));
    await expect(run(() => services.tickets.claim(ticketId, alice.id))).resolves.toMatchObject({
      status: 'claimed',
    });
    await run(() => services.tickets.close(ticketId, { kind: 'agent', agentId: alice.id }));
    const bob = await newAgent('Bob');
    await expect(run(() => services.tickets.claim(ticketId, bob.id))).rejects.toBeInstanceOf(TicketClosed);
    await expect(run(() => services.tickets.claim(999_999, bob.id))).rejects.toBeInstanceOf(NotFound);
  });

  it('concurrent first messages of a session open exactly one ticket', async () => {
    const sessionId = await run(() => services.sessions.createSession({}));
    const sent = await Promise.all(
      ['a', 'b', 'c', 'd'].map((body) =>
        run(() => services.messages.sendVisitorMessage({ sessionId, body })),
      ),
    );
    expect(new Set(sent.map((s) => s.ticket.id)).size).toBe(1);
    expect(sent.filter((s) => s.ticketCreated)).toHaveLength(1);
    const conversation = await run(() => services.sessions.getConversation(sessionId));
    expect(conversation.tickets).toHaveLength(1);
    expect(conversation.messages.map((m) => m.body).sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('pass is recorded once per agent and leaves the ticket in the queue', async () => {
    const carol = await newAgent('Carol');
    const dave = await newAgent('Dave');
    const { ticketId } = await newTicket();
    await run(() => services.tickets.pass(ticketId, carol.id));
    await run(() => services.tickets.pass(ticketId, carol.id));
    const result = await run(() => services.tickets.pass(ticketId, dave.id));
    expect(result.passedBy).toEqual(['Carol', 'Dave']);
    expect(result.ticket.status).toBe('open');
    await run(() => services.tickets.claim(ticketId, dave.id));
    await expect(run(() => services.tickets.pass(ticketId, carol.id))).rejects.toBeInstanceOf(
      TicketAlreadyClaimed,
    );
  });

  it('agent replies reach the conversation; only the assigned agent may reply or close', async () => {
    const erin = await newAgent('Erin');
    const frank = await newAgent('Frank');
    const { sessionId, ticketId } = await newTicket();
    await expect(
      run(() => services.messages.sendAgentMessage({ ticketId, agentId: erin.id, body: 'too early' })),
    ).rejects.toBeInstanceOf(Forbidden);
    await run(() => services.tickets.claim(ticketId, erin.id));
    events.length = 0;
    await run(() =>
      services.messages.sendAgentMessage({ ticketId, agentId: erin.id, body: 'Hi, Erin here' }),
    );
    expect(events).toEqual([
      expect.objectContaining({
        type: 'message.created',
        sessionId,
        message: expect.objectContaining({ agent_name: 'Erin' }),
      }),
    ]);
    await expect(
      run(() => services.messages.sendAgentMessage({ ticketId, agentId: frank.id, body: 'me too' })),
    ).rejects.toBeInstanceOf(Forbidden);
    await expect(
      run(() => services.tickets.close(ticketId, { kind: 'agent', agentId: frank.id })),
    ).rejects.toBeInstanceOf(Forbidden);

    await run(() => services.tickets.close(ticketId, { kind: 'agent', agentId: erin.id }));
    const conversation = await run(() => services.sessions.getConversation(sessionId));
    expect(conversation.messages.map((m) => [m.sender, m.body])).toEqual([
      ['visitor', 'Help please'],
      ['system', 'Erin joined the conversation'],
      ['agent', 'Hi, Erin here'],
      ['system', 'Conversation closed by Erin'],
    ]);
    await expect(
      run(() => services.messages.sendAgentMessage({ ticketId, agentId: erin.id, body: 'late' })),
    ).rejects.toBeInstanceOf(TicketClosed);
    const agent = await run(() => services.agents.get(erin.id));
    expect(agent.activeTicket).toBeNull();
  });

  it('the database allows only one not-closed ticket per session', async () => {
    const { sessionId } = await newTicket();
    const insert = () =>
      orm.em
        .getConnection()
        .execute(`insert into tickets (session_id, status) values (?, 'claimed')`, [sessionId]);
    await expect(insert()).rejects.toThrow(/tickets_one_open_per_session|unique/i);
    await orm.em
      .getConnection()
      .execute(`update tickets set status = 'closed' where session_id = ?`, [sessionId]);
    await expect(insert()).resolves.toBeDefined();
  });
});
