import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInProcessEventBus } from '../core/event-bus.ts';
import { createServices, type Services } from '../core/services.ts';
import type { Orm } from '../db/orm.ts';
import { databaseKind } from './support/database.ts';
import { createTestOrm, inContext } from './support/test-app.ts';

/**
 * An agent's Telegram message is named by its chat and id: Telegram counts message ids per chat, and an
 * agent writes in their chat with the bot and in the support group's topics, so the same id comes up in
 * both. Only the same chat and id is the same message (a redelivered update).
 */
describe(`agents' Telegram messages are told apart by chat and id (${databaseKind})`, () => {
  let orm: Orm;
  let close: () => Promise<void>;
  let services: Services;
  const run = <T>(fn: () => Promise<T>) => inContext(orm, fn);
  const PRIVATE = 7001;
  const GROUP = -1007001;

  beforeAll(async () => {
    ({ orm, close } = await createTestOrm());
    services = createServices({ em: orm.em, bus: createInProcessEventBus() });
  });
  afterAll(() => close?.());

  const claimedTicket = async (agentId: number, body: string) => {
    const sessionId = await run(() => services.sessions.createSession({}));
    const { ticket } = await run(() => services.messages.sendVisitorMessage({ sessionId, body }));
    await run(() => services.tickets.claim(ticket.id, agentId));
    return { sessionId, ticketId: ticket.id };
  };

  it('the same id in the group and in the private chat are two messages; the same chat and id is one', async () => {
    const agent = await run(() => services.agents.upsert({ tgChatId: PRIVATE, name: 'Alice' }));
    const one = await claimedTicket(agent.id, 'first visitor');
    const two = await claimedTicket(agent.id, 'second visitor');
    const send = (ticketId: number, chatId: number, body: string) =>
      run(() =>
        services.messages.sendAgentMessage({
          ticketId,
          agentId: agent.id,
          body,
          telegram: { chatId, threadId: chatId < 0 ? 77 : null, messageId: 9 },
        }),
      );

    const inPrivate = await send(one.ticketId, PRIVATE, 'from the private chat');
    const inGroup = await send(two.ticketId, GROUP, 'from a group topic');
    expect(inPrivate.duplicate).toBe(false);
    expect(inGroup.duplicate).toBe(false);
    expect(inGroup.message.ticket_id).toBe(two.ticketId);

    const again = await send(two.ticketId, GROUP, 'from a group topic');
    expect(again).toMatchObject({ duplicate: true, message: { id: inGroup.message.id } });
    expect(await run(() => services.telegramLinks.ticketOfMessage(GROUP, 9))).toBe(two.ticketId);
    expect(await run(() => services.telegramLinks.ticketOfMessage(PRIVATE, 9))).toBe(one.ticketId);
  });

  it('a close note with an id already used in another chat is stored, and recognised when it comes again', async () => {
    const agent = await run(() => services.agents.upsert({ tgChatId: PRIVATE + 1, name: 'Bob' }));
    const answered = await claimedTicket(agent.id, 'answered in the group');
    const closing = await claimedTicket(agent.id, 'closed from the private chat');
    await run(() =>
      services.messages.sendAgentMessage({
        ticketId: answered.ticketId,
        agentId: agent.id,
        body: 'group answer',
        telegram: { chatId: GROUP, threadId: 78, messageId: 12 },
      }),
    );
    const note = { chatId: PRIVATE + 1, threadId: null, messageId: 12 };
    await run(() =>
      services.tickets.close(closing.ticketId, {
        kind: 'agent',
        agentId: agent.id,
        note: 'Bye!',
        noteTelegram: note,
      }),
    );
    const conversation = await run(() => services.sessions.getConversation(closing.sessionId));
    expect(conversation.ticket?.status).toBe('closed');
    expect(conversation.messages.map((m) => m.body)).toContain('Bye!');
    // The same Telegram message delivered again (after a crash) is the note, not a new reply.
    const redelivered = await run(() =>
      services.messages.sendAgentMessage({
        ticketId: closing.ticketId,
        agentId: agent.id,
        body: 'Bye!',
        telegram: note,
      }),
    );
    expect(redelivered.duplicate).toBe(true);
  });
});
