import type { Message } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeTelegram, startFakeTelegram } from './fake-telegram/index.ts';
import { databaseKind } from './support/database.ts';
import { signInitData, tma } from './support/init-data.ts';
import { openSse, type SseEvent } from './support/sse.ts';
import { linkedToTicket } from './support/telegram-links.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { eventually, newVisitor, type Visitor } from './support/visitor.ts';

/**
 * The conversation behaves like Telegram both ways (edits, deletes, reactions, typing), end to end through
 * the fake Bot API and the HTTP API, in each place a ticket can live (TICKET_THREADS).
 */

const GROUP = -1009876543222;
const ALICE = { id: 3001, first_name: 'Alice', username: 'alice' };
const BOB = { id: 3002, first_name: 'Bob', username: 'bob' };
const WAIT = { timeoutMs: 15_000 };
const LONG = 15_000;

type Mode = 'private-topics' | 'single' | 'group-topics';
type Place = { chatId: number; threadId?: number };

const textOf = (message: Message | undefined) => message?.text ?? message?.caption ?? '';

function desk(mode: Mode) {
  const ctx = {} as { fake: FakeTelegram; app: TestApp };
  const inGroup = mode === 'group-topics';

  const start = async () => {
    ctx.fake = await startFakeTelegram({ topicsInPrivateChats: mode === 'private-topics' });
    ctx.fake.addGroup({ id: GROUP, title: 'Support', botStatus: 'administrator', isForum: inGroup });
    for (const user of [ALICE, BOB]) {
      ctx.fake.addUser(user);
      ctx.fake.setChatMember(GROUP, user.id, 'member');
    }
    ctx.app = await startTestApp({
      TELEGRAM_BOT_TOKEN: ctx.fake.token,
      TELEGRAM_API_ROOT: ctx.fake.apiRoot,
      SUPPORT_GROUP_CHAT_ID: String(GROUP),
      RATE_LIMIT_MESSAGES: '200',
      TELEGRAM_THROTTLE: 'false',
      TICKET_THREADS: mode,
    });
    for (const agent of [ALICE, BOB]) {
      ctx.fake.sendText({ from: agent.id, text: '/start' });
      await ctx.fake.waitFor(() => ctx.fake.sentTo(agent.id).length > 0, WAIT);
    }
  };
  const stop = async () => {
    await ctx.app?.close();
    await ctx.fake?.close();
  };

  const topicOf = (chatId: number, ticketId: number) =>
    ctx.fake.topics(chatId).find((topic) => new RegExp(`^(✅ )?#${ticketId} ·`).test(topic.name));

  /** Where the ticket's conversation is for `agent` (once claimed; in group topics, from the start). */
  const placeOf = async (agent: { id: number }, ticketId: number): Promise<Place> => {
    if (mode === 'single') return { chatId: agent.id };
    const chatId = inGroup ? GROUP : agent.id;
    const topic = await ctx.fake.waitFor(() => topicOf(chatId, ticketId), WAIT);
    return { chatId, threadId: topic.message_thread_id };
  };

  /** The bot's messages in a place, in their current (edited) state. */
  const botMessages = (place: Place) =>
    ctx.fake
      .messages(place.chatId)
      .filter(
        (m) =>
          m.from?.is_bot &&
          !m.forum_topic_created &&
          (place.threadId === undefined || m.message_thread_id === place.threadId),
      );
  const waitBot = (place: Place, pattern: RegExp) =>
    ctx.fake.waitFor(() => botMessages(place).find((m) => pattern.test(textOf(m))), WAIT);
  const current = (place: Place, messageId: number) => ctx.fake.message(place.chatId, messageId);

  const newTicket = async (body: string) => {
    const visitor = await newVisitor(ctx.app.url);
    const sent = await visitor.say(body);
    return { visitor, ticketId: sent.ticket.id };
  };

  const claim = async (
    agent: { id: number },
    { visitor, ticketId }: { visitor: Visitor; ticketId: number },
  ) => {
    const card = await ctx.fake.waitFor(
      () =>
        ctx.fake
          .messages(GROUP)
          .find((m) => m.from?.is_bot && textOf(m).includes(`#${ticketId}`) && m.reply_markup),
      WAIT,
    );
    ctx.fake.clickButton({ from: agent.id, chatId: GROUP, messageId: card.message_id, text: '✅ Claim' });
    await eventually(async () => (await visitor.conversation()).ticket?.status === 'claimed', LONG);
  };

  /** A claimed ticket of ALICE's, with its place ready (the "connected" notice is there). */
  const claimedTicket = async (body: string) => {
    const ticket = await newTicket(body);
    await claim(ALICE, ticket);
    const place = await placeOf(ALICE, ticket.ticketId);
    // In single mode the chat holds every ticket: this ticket's notice, by its number.
    await waitBot(place, inGroup ? /Alice is answering/ : new RegExp(`connected to #${ticket.ticketId}\\.`));
    return { ...ticket, place };
  };

  /** The agent writes in the ticket's place; answers the Telegram message and the stored message. */
  const agentSays = async (place: Place, visitor: Visitor, text: string) => {
    const update = ctx.fake.sendText({
      from: ALICE.id,
      chatId: place.chatId,
      threadId: place.threadId,
      text,
    });
    const stored = await eventually(
      async () => (await visitor.messages('agent')).find((m) => m.body === text),
      LONG,
    );
    return { telegram: update.message as Message, stored };
  };

  const http = (visitor: Visitor) => visitor.http;
  const patch = (visitor: Visitor, messageId: number, body: string) =>
    http(visitor).request('PATCH', `/api/session/${visitor.sessionId}/messages/${messageId}`, {
      token: visitor.token,
      json: { body },
    });
  const remove = (visitor: Visitor, messageId: number) =>
    http(visitor).request('DELETE', `/api/session/${visitor.sessionId}/messages/${messageId}`, {
      token: visitor.token,
    });
  const react = (visitor: Visitor, messageId: number, emoji: string | null) =>
    http(visitor).request('PUT', `/api/session/${visitor.sessionId}/messages/${messageId}/reaction`, {
      token: visitor.token,
      json: { emoji },
    });
  const events = (visitor: Visitor) =>
    openSse(`${ctx.app.url}/api/session/${visitor.sessionId}/events`, {
      authorization: `Bearer ${visitor.token}`,
    });
  const asAgent = (user: typeof ALICE) => tma(signInitData(ctx.fake.token, user));

  return {
    ctx,
    start,
    stop,
    placeOf,
    botMessages,
    waitBot,
    current,
    newTicket,
    claim,
    claimedTicket,
    agentSays,
    patch,
    remove,
    react,
    events,
    asAgent,
  };
}

const ofType = (events: SseEvent[], type: string) => events.filter((e) => e.event === type);

describe.each(['private-topics', 'single', 'group-topics'] as const)(
  `conversation sync (%s, ${databaseKind})`,
  (mode) => {
    const d = desk(mode);
    beforeAll(d.start, 60_000);
    afterAll(d.stop);

    it('an agent edits their message in Telegram: the visitor sees the new text, marked edited, live', async () => {
      const { visitor, place } = await d.claimedTicket('Hello, question about my order');
      const stream = await d.events(visitor);
      try {
        const { telegram, stored } = await d.agentSays(place, visitor, 'Your order shipped on Mnoday');
        expect(stored).toMatchObject({ edited_at: null, reactions: [] });
        d.ctx.fake.editText({
          from: ALICE.id,
          chatId: place.chatId,
          messageId: telegram.message_id,
          text: 'Your order shipped on Monday',
        });
        const edited = await eventually(
          async () =>
            (await visitor.messages('agent')).find((m) => m.id === stored.id && m.body.endsWith('Monday')),
          LONG,
        );
        expect(edited).toMatchObject({ body: 'Your order shipped on Monday', edited_at: expect.any(String) });
        await stream.waitFor(
          (events) =>
            ofType(events, 'message.updated').some(
              (e) =>
                (e.data as { id: number; body: string }).id === stored.id &&
                (e.data as { body: string }).body.endsWith('Monday'),
            ),
          LONG,
        );
        expect((await visitor.messages('agent')).map((m) => m.body)).toEqual([
          'Your order shipped on Monday',
        ]);
      } finally {
        await stream.close();
      }
    });

    it('the visitor edits a message: the agent’s copy is edited, marked ✏️ edited; a long one gets a notice', async () => {
      const { visitor, place } = await d.claimedTicket('first message');
      const sent = await visitor.say('My adress is Main street 1');
      const copy = await d.waitBot(place, /My adress is Main street 1/);
      const response = await d.patch(visitor, sent.message.id, 'My address is Main Street 1');
      expect(response.status).toBe(200);
      expect(response.body.message).toMatchObject({
        body: 'My address is Main Street 1',
        edited_at: expect.any(String),
      });
      await d.ctx.fake.waitFor(
        () => /My address is Main Street 1[\s\S]*✏️ edited/.test(textOf(d.current(place, copy.message_id))),
        WAIT,
      );
      expect((await visitor.messages('visitor')).find((m) => m.id === sent.message.id)?.body).toBe(
        'My address is Main Street 1',
      );

      // Too long for one Telegram message: relayed in parts, so the edit comes as a notice under the first.
      const long = `${'word '.repeat(1000)}end`;
      const longSent = await visitor.say(long);
      const firstPart = await d.waitBot(place, /\(1\/2\)/);
      await d.waitBot(place, /\(2\/2\)/);
      expect((await d.patch(visitor, longSent.message.id, 'Sorry, in short: it broke')).status).toBe(200);
      const notice = await d.waitBot(place, /✏️ edited:\s*Sorry, in short: it broke/);
      expect(notice.reply_to_message?.message_id).toBe(firstPart.message_id);
    });

    it('the visitor deletes a message: the agent’s copy goes; one Telegram keeps is struck through', async () => {
      const { visitor, place } = await d.claimedTicket('hello there');
      const stream = await d.events(visitor);
      try {
        const oops = await visitor.say('my password is hunter2');
        const copy = await d.waitBot(place, /hunter2/);
        const response = await d.remove(visitor, oops.message.id);
        expect(response.status).toBe(204);
        expect((await visitor.messages()).map((m) => m.id)).not.toContain(oops.message.id);
        await stream.waitFor((events) =>
          ofType(events, 'message.deleted').some((e) => (e.data as { id: number }).id === oops.message.id),
        );
        await d.ctx.fake.waitFor(() => d.ctx.fake.isDeleted(place.chatId, copy.message_id), WAIT);

        // Older than 48 h in Telegram: it cannot be deleted, so it is struck through instead.
        const old = await visitor.say('an old message');
        const oldCopy = await d.waitBot(place, /an old message/);
        d.ctx.fake.ageMessage(place.chatId, oldCopy.message_id, 49);
        expect((await d.remove(visitor, old.message.id)).status).toBe(204);
        const struck = await d.ctx.fake.waitFor(() => {
          const now = d.current(place, oldCopy.message_id);
          return /deleted by the visitor/.test(textOf(now)) ? now : undefined;
        }, WAIT);
        expect(struck.entities?.some((e) => e.type === 'strikethrough')).toBe(true);
        expect(d.ctx.fake.isDeleted(place.chatId, oldCopy.message_id)).toBe(false);
      } finally {
        await stream.close();
      }
    });

    it('the agent reacts in Telegram to a visitor’s message: the visitor sees it; taking it back removes it', async () => {
      const { visitor, place } = await d.claimedTicket('first');
      const sent = await visitor.say('Thanks a lot!');
      const copy = await d.waitBot(place, /Thanks a lot!/);
      await linkedToTicket(d.ctx.app.orm, place.chatId, copy.message_id, LONG);
      d.ctx.fake.react({ from: ALICE.id, chatId: place.chatId, messageId: copy.message_id, emoji: '👍' });
      const reacted = await eventually(async () => {
        const message = (await visitor.messages('visitor')).find((m) => m.id === sent.message.id);
        return (message as { reactions?: unknown[] } | undefined)?.reactions?.length ? message : undefined;
      }, LONG);
      expect(reacted).toMatchObject({ reactions: [{ emoji: '👍', from: 'agent' }] });
      d.ctx.fake.react({ from: ALICE.id, chatId: place.chatId, messageId: copy.message_id, emoji: [] });
      await eventually(async () => {
        const message = (await visitor.messages('visitor')).find((m) => m.id === sent.message.id);
        return (message as { reactions?: unknown[] } | undefined)?.reactions?.length === 0;
      }, LONG);
    });

    it('the visitor reacts to the agent’s message: the bot sets it on the agent’s Telegram message', async () => {
      const { visitor, ticketId, place } = await d.claimedTicket('need help');
      const { telegram, stored } = await d.agentSays(place, visitor, 'How can I help?');
      const response = await d.react(visitor, stored.id, '❤️');
      expect(response.status).toBe(200);
      expect(response.body.message.reactions).toEqual([{ emoji: '❤', from: 'visitor' }]);
      await d.ctx.fake.waitFor(
        () => d.ctx.fake.botReactions(place.chatId, telegram.message_id).some((r) => r.emoji === '❤'),
        WAIT,
      );
      expect((await d.react(visitor, stored.id, null)).status).toBe(200);
      await d.ctx.fake.waitFor(
        () => d.ctx.fake.botReactions(place.chatId, telegram.message_id).length === 0,
        WAIT,
      );

      // Written in the Mini App: no Telegram copy, the reaction is just stored (no job: nothing to set).
      const miniApp = await visitor.http.post(`/api/agent/tickets/${ticketId}/messages`, {
        headers: d.asAgent(ALICE),
        json: { body: 'Written in the Mini App' },
      });
      expect(miniApp.status).toBe(201);
      const calls = () => d.ctx.fake.callsOf('setMessageReaction').length;
      const callsBefore = calls();
      const onMiniApp = await d.react(visitor, miniApp.body.message.id, '🎉');
      expect(onMiniApp.status).toBe(200);
      expect(onMiniApp.body.message.reactions).toEqual([{ emoji: '🎉', from: 'visitor' }]);
      // A later reaction on the Telegram message arrives; the one on the Mini App message sent nothing.
      expect((await d.react(visitor, stored.id, '👍')).status).toBe(200);
      await d.ctx.fake.waitFor(
        () => d.ctx.fake.botReactions(place.chatId, telegram.message_id).some((r) => r.emoji === '👍'),
        WAIT,
      );
      expect(calls()).toBe(callsBefore + 1);
    });

    it('the visitor typing shows “typing…” in the ticket’s place, throttled', async () => {
      const { visitor, ticketId, place } = await d.claimedTicket('typing test');
      const before = d.ctx.fake.chatActions(place.chatId, { threadId: place.threadId }).length;
      const response = await visitor.http.post(`/api/session/${visitor.sessionId}/typing`, {
        token: visitor.token,
      });
      expect(response.status).toBe(204);
      const action = await d.ctx.fake.waitFor(
        () =>
          d.ctx.fake
            .chatActions(place.chatId, { threadId: place.threadId })
            .slice(before)
            .find((a) => a.action === 'typing'),
        WAIT,
      );
      expect(action).toBeTruthy();
      // Several calls at once: one chat action (the next only after the interval).
      for (let i = 0; i < 5; i += 1) {
        await visitor.http.post(`/api/session/${visitor.sessionId}/typing`, { token: visitor.token });
      }
      const count = d.ctx.fake.chatActions(place.chatId, { threadId: place.threadId }).length - before;
      expect(count).toBeLessThanOrEqual(2);
      expect(ticketId).toBeGreaterThan(0);
    });

    it('the agent typing in the Mini App reaches the visitor’s stream as agent.typing', async () => {
      const { visitor, ticketId } = await d.claimedTicket('typing the other way');
      const stream = await d.events(visitor);
      try {
        const response = await visitor.http.post(`/api/agent/tickets/${ticketId}/typing`, {
          headers: d.asAgent(ALICE),
        });
        expect(response.status).toBe(204);
        await stream.waitFor((events) =>
          ofType(events, 'agent.typing').some(
            (e) => JSON.stringify(e.data) === JSON.stringify({ ticket_id: ticketId, agent_name: 'Alice' }),
          ),
        );
        // Not the agent's ticket: refused.
        const bob = await visitor.http.post(`/api/agent/tickets/${ticketId}/typing`, {
          headers: d.asAgent(BOB),
        });
        expect(bob.status).toBe(403);
      } finally {
        await stream.close();
      }
    });

    it('an agent deletes their message in the Mini App: gone for the visitor, marked for agents', async () => {
      const { visitor, ticketId, place } = await d.claimedTicket('delete test');
      const stream = await d.events(visitor);
      try {
        const { stored } = await d.agentSays(place, visitor, 'Sent to the wrong visitor, sorry');
        const path = `/api/agent/tickets/${ticketId}/messages/${stored.id}`;
        const byBob = await visitor.http.request('DELETE', path, { headers: d.asAgent(BOB) });
        expect(byBob.status).toBe(403);
        const response = await visitor.http.request('DELETE', path, { headers: d.asAgent(ALICE) });
        expect(response.status).toBe(204);
        expect((await visitor.messages('agent')).map((m) => m.id)).not.toContain(stored.id);
        await stream.waitFor((events) =>
          ofType(events, 'message.deleted').some((e) => (e.data as { id: number }).id === stored.id),
        );
        const view = await visitor.http.get(`/api/agent/tickets/${ticketId}`, { headers: d.asAgent(ALICE) });
        expect(view.body.messages.find((m: { id: number }) => m.id === stored.id)).toMatchObject({
          deleted_at: expect.any(String),
          mine: true,
        });
        expect((await visitor.http.request('DELETE', path, { headers: d.asAgent(ALICE) })).status).toBe(404);
      } finally {
        await stream.close();
      }
    });

    it.runIf(mode === 'group-topics')(
      'an unclaimed ticket: the visitor typing shows in its group topic',
      async () => {
        const { visitor, ticketId } = await d.newTicket('nobody claimed me yet');
        const place = await d.placeOf(ALICE, ticketId);
        await d.waitBot(place, /nobody claimed me yet/);
        expect(
          (await visitor.http.post(`/api/session/${visitor.sessionId}/typing`, { token: visitor.token }))
            .status,
        ).toBe(204);
        await d.ctx.fake.waitFor(
          () =>
            d.ctx.fake.chatActions(GROUP, { threadId: place.threadId }).some((a) => a.action === 'typing'),
          WAIT,
        );
      },
    );

    it.runIf(mode === 'group-topics')(
      'an unclaimed ticket: a visitor’s edit changes the message in its topic',
      async () => {
        const { visitor, ticketId } = await d.newTicket('unclaimed helo');
        const place = await d.placeOf(ALICE, ticketId);
        const copy = await d.waitBot(place, /Visitor\n.*unclaimed helo/s);
        const [first] = await visitor.messages('visitor');
        expect((await d.patch(visitor, (first as { id: number }).id, 'unclaimed hello')).status).toBe(200);
        await d.ctx.fake.waitFor(
          () => /unclaimed hello[\s\S]*✏️ edited/.test(textOf(d.current(place, copy.message_id))),
          WAIT,
        );
      },
    );

    it.runIf(mode !== 'group-topics')(
      'a message the agent saw only in the history: its edit and deletion come as notices',
      async () => {
        const { visitor, ticketId } = await d.newTicket('history line one');
        const [first] = await visitor.messages('visitor');
        await d.claim(ALICE, { visitor, ticketId });
        const place = await d.placeOf(ALICE, ticketId);
        await d.waitBot(place, new RegExp(`connected to #${ticketId}\\.[\\s\\S]*history line one`));
        const id = (first as { id: number }).id;
        expect((await d.patch(visitor, id, 'history line 1')).status).toBe(200);
        await d.waitBot(place, new RegExp(`#${ticketId} · the visitor edited a message:\\s*history line 1`));
        expect((await d.remove(visitor, id)).status).toBe(204);
        await d.waitBot(place, new RegExp(`#${ticketId} · the visitor deleted a message: history line 1`));
      },
    );
  },
);
