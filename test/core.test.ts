import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Forbidden,
  InvalidText,
  MessageDeleted,
  NotFound,
  TicketAlreadyClaimed,
  TicketClosed,
} from '../core/errors.ts';
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

  /**
   * Text that reaches core from Telegram (agents' messages, close notes) skips the HTTP contract: core holds
   * it to the same definition of valid text (contract/text.ts) and refuses the rest as a validation error.
   */
  it('text from the bot: NUL, control and broken characters are refused, invisible notes are no note', async () => {
    const grace = await newAgent('Grace');
    const { sessionId, ticketId } = await newTicket();
    await run(() => services.tickets.claim(ticketId, grace.id));
    const before = await run(() => services.sessions.getConversation(sessionId));
    for (const body of ['nul \u0000 inside', 'lone \ud800 surrogate', 'bell \u0007', 'nonchar \uffff']) {
      await expect(
        run(() => services.messages.sendAgentMessage({ ticketId, agentId: grace.id, body })),
      ).rejects.toBeInstanceOf(InvalidText);
      const closing = run(() =>
        services.tickets.close(ticketId, { kind: 'agent', agentId: grace.id, note: body }),
      );
      await expect(closing).rejects.toMatchObject({ code: 'validation_failed' });
    }
    await expect(
      run(() => services.messages.sendVisitorMessage({ sessionId, body: 'caption \u0000' })),
    ).rejects.toBeInstanceOf(InvalidText);
    // Nothing changed (the polling cursor may move with other transactions: it is not compared).
    expect(await run(() => services.sessions.getConversation(sessionId))).toEqual({
      ...before,
      revision: expect.any(Number),
    });

    // Tabs and new lines are text; a note of only invisible characters is as good as no note.
    await run(() =>
      services.messages.sendAgentMessage({ ticketId, agentId: grace.id, body: 'line one\n\tline two' }),
    );
    await run(() =>
      services.tickets.close(ticketId, {
        kind: 'agent',
        agentId: grace.id,
        note: '\u200b\u200d\ufeff\u3164\u2800 ',
      }),
    );
    const after = await run(() => services.sessions.getConversation(sessionId));
    expect(after.messages.slice(before.messages.length).map((m) => [m.sender, m.body])).toEqual([
      ['agent', 'line one\n\tline two'],
      ['system', 'Conversation closed by Grace'],
    ]);
  });

  it('a session keeps only a plausible locale (canonical) and valid header text, never failing', async () => {
    const stored = async (details: { locale?: string; userAgent?: string; referer?: string }) => {
      const id = await run(() => services.sessions.createSession(details));
      const [row] = await orm.em
        .getConnection()
        .execute<{ locale: string | null; user_agent: string | null; referer: string | null }[]>(
          'select locale, user_agent, referer from support_sessions where id = ?',
          [id],
        );
      return row;
    };
    expect(await stored({ locale: 'pt-br' })).toMatchObject({ locale: 'pt-BR' });
    expect(await stored({ locale: 'zh-hant-tw' })).toMatchObject({ locale: 'zh-Hant-TW' });
    expect(await stored({ locale: 'es-419' })).toMatchObject({ locale: 'es-419' });
    for (const locale of [
      '*',
      'garbage',
      'e',
      'en_US',
      `en-${'x'.repeat(40)}`,
      'en\u0000',
      'x'.repeat(10_000),
    ]) {
      expect(await stored({ locale })).toMatchObject({ locale: null });
    }
    expect(await stored({ userAgent: 'Agent\u0000', referer: 'https://x.example/\u0001' })).toMatchObject({
      user_agent: null,
      referer: null,
    });
    const long = await stored({
      userAgent: 'u'.repeat(5000),
      referer: `https://x.example/${'r'.repeat(5000)}`,
    });
    expect([long?.user_agent?.length, long?.referer?.length]).toEqual([1024, 2048]);
  });

  /**
   * Close, pass and claim check who holds the ticket inside the transaction that changes it, with the row
   * locked: a race of two agents ends as if one of them had acted first, never with both having won.
   */
  it('25 rounds of agent A closing while agent B claims: exactly one wins, consistently', async () => {
    const alice = await newAgent('CloseRacerA');
    const bob = await newAgent('ClaimRacerB');
    const rounds: string[] = [];
    for (let round = 0; round < 25; round++) {
      const { sessionId, ticketId } = await newTicket();
      const [close, claim] = await Promise.allSettled([
        run(() => services.tickets.close(ticketId, { kind: 'agent', agentId: alice.id })),
        run(() => services.tickets.claim(ticketId, bob.id)),
      ]);
      const { ticket } = await run(() => services.sessions.getConversation(sessionId));
      const closedFirst =
        ticket?.status === 'closed' &&
        ticket.agent_name === null &&
        close.status === 'fulfilled' &&
        claim.status === 'rejected' &&
        claim.reason instanceof TicketClosed;
      const claimedFirst =
        ticket?.status === 'claimed' &&
        ticket.agent_name === bob.name &&
        claim.status === 'fulfilled' &&
        close.status === 'rejected' &&
        close.reason instanceof Forbidden;
      rounds.push(
        closedFirst
          ? 'closed'
          : claimedFirst
            ? 'claimed'
            : `inconsistent: ${ticket?.status} by ${ticket?.agent_name}, close ${close.status}, claim ${claim.status}`,
      );
    }
    expect(rounds.filter((round) => round.startsWith('inconsistent'))).toEqual([]);
  });

  it('25 rounds of agent A passing while agent B claims: the pass comes before the claim or is refused', async () => {
    const alice = await newAgent('PassRacerA');
    const bob = await newAgent('ClaimRacerB2');
    const rounds: string[] = [];
    for (let round = 0; round < 25; round++) {
      const { ticketId } = await newTicket();
      events.length = 0;
      // The claim and the pass take turns to start first; the other starts a few database round trips
      // later, more every other round: the rounds sweep each across the other's transaction.
      const passFirst = round % 2 === 1;
      const starting = passFirst
        ? run(() => services.tickets.pass(ticketId, alice.id))
        : run(() => services.tickets.claim(ticketId, bob.id));
      for (let trip = 0; trip < Math.floor(round / 2); trip++) {
        await orm.em.getConnection().execute('select 1');
      }
      const following = passFirst
        ? run(() => services.tickets.claim(ticketId, bob.id))
        : run(() => services.tickets.pass(ticketId, alice.id));
      const settled = await Promise.allSettled([starting, following]);
      const pass = settled[passFirst ? 0 : 1];
      const claim = settled[passFirst ? 1 : 0];
      const ticket = await run(() => services.agentConsole.ticketView(ticketId, bob.id));
      // What agents' live queues saw last: it must be the claim, not a pass that read the ticket before it.
      const lastSeen = events.filter((e) => e.type === 'ticket.updated' && e.ticket.id === ticketId).at(-1);
      const lastSeenStatus = lastSeen?.type === 'ticket.updated' ? lastSeen.ticket.status : undefined;
      const claimed =
        ticket.status === 'claimed' && ticket.agent_name === bob.name && claim.status === 'fulfilled';
      const passedFirst =
        pass.status === 'fulfilled' && ticket.passed_by.includes(alice.name) && lastSeenStatus === 'claimed';
      const refused =
        pass.status === 'rejected' &&
        pass.reason instanceof TicketAlreadyClaimed &&
        ticket.passed_by.length === 0;
      rounds.push(
        claimed && passedFirst
          ? 'passed'
          : claimed && refused
            ? 'refused'
            : `inconsistent: ${ticket.status} by ${ticket.agent_name}, pass ${pass.status}, claim ${claim.status}, passed_by ${ticket.passed_by}, last seen ${lastSeenStatus}`,
      );
    }
    expect(rounds.filter((round) => round.startsWith('inconsistent'))).toEqual([]);
  });

  it('a message deleted since it was stored stays deleted: a retried send is refused, a redelivered reply is not published', async () => {
    const agent = await newAgent('Gina');
    const sessionId = await run(() => services.sessions.createSession({}));
    const clientId = crypto.randomUUID();
    const send = () =>
      run(() => services.messages.sendVisitorMessage({ sessionId, body: 'Oops, wrong chat', clientId }));
    const first = await send();
    await run(() => services.messageChanges.deleteByVisitor({ sessionId, messageId: first.message.id }));
    events.length = 0;
    // The send again, its answer lost (or a delayed copy of the request): on its own, then beside another
    // message sent at the same moment (stored in one group when they meet: the other is not failed).
    await expect(send()).rejects.toBeInstanceOf(MessageDeleted);
    const group = await Promise.allSettled([
      send(),
      run(() => services.messages.sendVisitorMessage({ sessionId, body: 'Hello?' })),
    ]);
    expect(group[0]).toMatchObject({ status: 'rejected', reason: expect.any(MessageDeleted) });
    expect(group[1]).toMatchObject({ status: 'fulfilled' });
    expect(events.map((event) => event.type)).toEqual(['message.created']);
    const conversation = await run(() => services.sessions.getConversation(sessionId));
    expect(conversation.messages.map((m) => m.body)).toEqual(['Hello?']);

    // The agent's reply from Telegram, deleted in the Mini App, then its update delivered again.
    const ticketId = first.ticket.id;
    await run(() => services.tickets.claim(ticketId, agent.id));
    const telegram = { chatId: agent.tgChatId, threadId: null, messageId: 7 };
    const reply = () =>
      run(() => services.messages.sendAgentMessage({ ticketId, agentId: agent.id, body: 'Hi', telegram }));
    const stored = await reply();
    await run(() =>
      services.messageChanges.deleteByAgent({ ticketId, agentId: agent.id, messageId: stored.message.id }),
    );
    events.length = 0;
    expect(await reply()).toMatchObject({ duplicate: true, deleted: true });
    await run(() => services.messages.publishAgentMessageAgain(telegram));
    expect(events).toEqual([]);
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
