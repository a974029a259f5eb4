import type { Message } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawCall } from './fake-telegram/test-client.ts';
import { databaseKind } from './support/database.ts';
import { ALICE, BOB, desk, GROUP, textOf, WAIT } from './support/telegram-desk.ts';
import { linkedToTicket } from './support/telegram-links.ts';
import { eventually, type Visitor } from './support/visitor.ts';

describe.each(['polling', 'webhook'] as const)(`private topics (%s, ${databaseKind})`, (mode) => {
  const d = desk({ mode, forumGroup: false });
  beforeAll(d.start, 60_000);
  afterAll(d.stop);

  it('chooses private topics when the bot has them (no TICKET_THREADS)', () => {
    expect(d.ctx.app.telegram?.ticketThreads).toBe('private-topics');
  });

  it('a claimed ticket is its own topic, named for it, with the history at its top', async () => {
    const { visitor, ticketId } = await d.newTicket('Мой счёт неверный', {
      locale: 'ru-RU',
      category: 'Billing',
    });
    await visitor.say('second line');
    await d.claim(ALICE, { visitor, ticketId });
    const topic = await d.waitTopic(ALICE.id, ticketId);
    expect(topic.name).toBe(`#${ticketId} · Billing · Visitor (ru)`);
    const first = await d.waitInTopic(ALICE.id, topic.message_thread_id, /connected to/);
    expect(textOf(first)).toContain('Мой счёт неверный');
    expect(textOf(first)).toContain('second line');
    expect(textOf(first)).toContain('This topic is the ticket');
    // Nothing of it in the chat outside the topic.
    expect(
      d.ctx.fake
        .messages(ALICE.id)
        .filter((m) => m.from?.is_bot && !m.message_thread_id && textOf(m).includes(`#${ticketId}`)),
    ).toEqual([]);
  });

  it('several agents with several tickets each: every message lands in its ticket, both ways', async () => {
    const tickets: { visitor: Visitor; ticketId: number; agent: typeof ALICE; threadId: number }[] = [];
    for (const [index, agent] of [ALICE, BOB, ALICE, BOB, ALICE, BOB].entries()) {
      const { visitor, ticketId } = await d.newTicket(`visitor ${index} opens`);
      await d.claim(agent, { visitor, ticketId });
      const topic = await d.waitTopic(agent.id, ticketId);
      await d.waitInTopic(agent.id, topic.message_thread_id, /connected to/);
      tickets.push({ visitor, ticketId, agent, threadId: topic.message_thread_id });
    }
    // Visitors write at once; each message arrives in its own ticket's topic only.
    await Promise.all(tickets.map((t, index) => t.visitor.say(`visitor ${index} asks again`)));
    for (const [index, t] of tickets.entries()) {
      await d.waitInTopic(t.agent.id, t.threadId, new RegExp(`visitor ${index} asks again`));
      const elsewhere = tickets
        .filter((other) => other !== t && other.agent === t.agent)
        .flatMap((other) => d.inTopic(other.agent.id, other.threadId))
        .filter((m) => textOf(m).includes(`visitor ${index} asks again`));
      expect(elsewhere).toEqual([]);
    }
    // Agents answer in each topic, without replying to anything: each answer reaches its visitor only.
    for (const [index, t] of tickets.entries()) {
      d.ctx.fake.sendText({ from: t.agent.id, threadId: t.threadId, text: `answer for ${index}` });
    }
    for (const [index, t] of tickets.entries()) {
      await eventually(async () => (await d.agentLines(t.visitor)).includes(`answer for ${index}`));
    }
    for (const [index, t] of tickets.entries()) {
      expect(await d.agentLines(t.visitor)).toEqual([`answer for ${index}`]);
    }

    // A reply to an old message of the first ticket, inside its topic, answers the first ticket.
    const [first, second] = tickets as [(typeof tickets)[0], (typeof tickets)[0]];
    const connected = await d.waitInTopic(first.agent.id, first.threadId, /connected to/);
    d.ctx.fake.sendText({
      from: first.agent.id,
      threadId: first.threadId,
      replyTo: connected.message_id,
      text: 'reply to the oldest message',
    });
    await eventually(async () => (await d.agentLines(first.visitor)).includes('reply to the oldest message'));

    // Outside any topic, a reply to a ticket's message answers that ticket; a plain message is explained.
    const relayed = await d.waitInTopic(second.agent.id, second.threadId, /visitor 1 asks again/);
    await linkedToTicket(d.ctx.app.orm, second.agent.id, relayed.message_id);
    d.ctx.fake.sendText({ from: second.agent.id, replyTo: relayed.message_id, text: 'by reply, no topic' });
    await eventually(async () => (await d.agentLines(second.visitor)).includes('by reply, no topic'));
    d.ctx.fake.sendText({ from: BOB.id, text: 'where does this go?' });
    await d.ctx.fake.waitFor(
      () => d.ctx.fake.sentTo(BOB.id).find((m) => /its own topic here/.test(textOf(m))),
      WAIT,
    );
    for (const t of tickets) expect(await d.agentLines(t.visitor)).not.toContain('where does this go?');
  });

  it('closing marks the topic ✅; a message in it is refused; the next conversation gets a new topic', async () => {
    const { visitor, ticketId } = await d.newTicket('close me later');
    await d.claim(BOB, { visitor, ticketId });
    const topic = await d.waitTopic(BOB.id, ticketId);
    const response = await visitor.http.post(`/api/tickets/${ticketId}/close`, { token: visitor.token });
    expect(response.status).toBe(200);
    await d.waitInTopic(BOB.id, topic.message_thread_id, /closed by the visitor/);
    await d.ctx.fake.waitFor(
      () => d.ctx.fake.topic(BOB.id, topic.message_thread_id)?.name.startsWith('✅ '),
      WAIT,
    );

    d.ctx.fake.sendText({ from: BOB.id, threadId: topic.message_thread_id, text: 'too late' });
    await d.waitInTopic(BOB.id, topic.message_thread_id, new RegExp(`#${ticketId} is closed`));
    expect(await d.agentLines(visitor)).toEqual([]);

    const again = await visitor.say('one more question');
    expect(again.ticket.id).not.toBe(ticketId);
    await d.claim(BOB, { visitor, ticketId: again.ticket.id });
    const next = await d.waitTopic(BOB.id, again.ticket.id);
    expect(next.message_thread_id).not.toBe(topic.message_thread_id);
    await d.waitInTopic(BOB.id, next.message_thread_id, /one more question/);
  });

  it('/close in a topic closes that topic’s ticket', async () => {
    const one = await d.newTicket('first of two');
    const two = await d.newTicket('second of two');
    await d.claim(ALICE, one);
    await d.claim(ALICE, two);
    const topic = await d.waitTopic(ALICE.id, one.ticketId);
    d.ctx.fake.sendText({ from: ALICE.id, threadId: topic.message_thread_id, text: '/close' });
    const prompt = await d.waitInTopic(
      ALICE.id,
      topic.message_thread_id,
      new RegExp(`Closing #${one.ticketId}`),
    );
    d.ctx.fake.clickButton({ from: ALICE.id, chatId: ALICE.id, messageId: prompt.message_id, text: 'Skip' });
    await eventually(async () => (await one.visitor.conversation()).ticket?.status === 'closed');
    expect((await two.visitor.conversation()).ticket?.status).toBe('claimed');
  });

  it('a closing prompt in one topic takes its note only from that topic, never from another ticket’s', async () => {
    const one = await d.newTicket('prompt one');
    const two = await d.newTicket('prompt two');
    await d.claim(ALICE, one);
    await d.claim(ALICE, two);
    const topicOne = await d.waitTopic(ALICE.id, one.ticketId);
    const topicTwo = await d.waitTopic(ALICE.id, two.ticketId);
    d.ctx.fake.sendText({ from: ALICE.id, threadId: topicOne.message_thread_id, text: '/close' });
    await d.waitInTopic(ALICE.id, topicOne.message_thread_id, new RegExp(`Closing #${one.ticketId}`));
    d.ctx.fake.sendText({
      from: ALICE.id,
      threadId: topicTwo.message_thread_id,
      text: 'only for visitor two',
    });
    await eventually(async () => (await d.agentLines(two.visitor)).includes('only for visitor two'));
    d.ctx.fake.sendText({ from: ALICE.id, threadId: topicOne.message_thread_id, text: 'Goodbye, one!' });
    await eventually(async () => (await one.visitor.conversation()).ticket?.status === 'closed');
    expect(await d.agentLines(one.visitor)).toEqual(['Goodbye, one!']);
    expect((await two.visitor.conversation()).ticket?.status).toBe('claimed');
  });

  it('a topic the agent deleted is opened again for the next message', async () => {
    const { visitor, ticketId } = await d.newTicket('keep me');
    await d.claim(ALICE, { visitor, ticketId });
    const topic = await d.waitTopic(ALICE.id, ticketId);
    await d.waitInTopic(ALICE.id, topic.message_thread_id, /connected to/);
    // The agent deleted the topic in Telegram (bots get no update for that).
    const deleted = await rawCall(d.ctx.fake, 'deleteForumTopic', {
      chat_id: ALICE.id,
      message_thread_id: topic.message_thread_id,
    });
    expect(deleted.body.ok).toBe(true);
    await visitor.say('after the topic was deleted');
    await d.ctx.fake.waitFor(
      () =>
        d.ctx.fake
          .topics(ALICE.id)
          .find(
            (t) => t.name.startsWith(`#${ticketId} ·`) && t.message_thread_id !== topic.message_thread_id,
          ),
      WAIT,
    );
  });
});

describe.each(['polling', 'webhook'] as const)(`group topics (%s, ${databaseKind})`, (mode) => {
  const d = desk({ mode, ticketThreads: 'group-topics', forumGroup: true });
  beforeAll(d.start, 60_000);
  afterAll(d.stop);

  it('each ticket is a topic of the group: the card at its top, the visitor’s messages under it', async () => {
    expect(d.ctx.app.telegram?.ticketThreads).toBe('group-topics');
    const { visitor, ticketId } = await d.newTicket('Where is my parcel?', { category: 'Billing' });
    const topic = await d.waitTopic(GROUP, ticketId);
    expect(topic.name).toBe(`#${ticketId} · Billing · Visitor`);
    const card = await d.waitInTopic(GROUP, topic.message_thread_id, /Claim|Where is my parcel/);
    expect(card.reply_markup).toBeTruthy();
    await d.waitInTopic(GROUP, topic.message_thread_id, /Visitor\n.*Where is my parcel/s);
    await visitor.say('It was due Monday');
    await d.waitInTopic(GROUP, topic.message_thread_id, /It was due Monday/);
  });

  it('a ticket closed before anyone claimed it: its topic is marked ✅ and closed too', async () => {
    const { visitor, ticketId } = await d.newTicket('never mind');
    const topic = await d.waitTopic(GROUP, ticketId);
    const response = await visitor.http.post(`/api/tickets/${ticketId}/close`, { token: visitor.token });
    expect(response.status).toBe(200);
    await d.ctx.fake.waitFor(() => {
      const now = d.ctx.fake.topic(GROUP, topic.message_thread_id);
      return now?.name.startsWith('✅ ') && now.is_closed;
    }, WAIT);
  });

  it('two agents with two tickets each: every answer in a topic reaches that topic’s visitor only', async () => {
    const tickets: { visitor: Visitor; ticketId: number; agent: typeof ALICE; threadId: number }[] = [];
    for (const [index, agent] of [ALICE, BOB, ALICE, BOB].entries()) {
      const ticket = await d.newTicket(`group visitor ${index}`);
      await d.claim(agent, ticket);
      const topic = await d.waitTopic(GROUP, ticket.ticketId);
      await d.waitInTopic(GROUP, topic.message_thread_id, /is answering/);
      tickets.push({ ...ticket, agent, threadId: topic.message_thread_id });
    }
    await Promise.all(tickets.map((t, index) => t.visitor.say(`group visitor ${index} again`)));
    for (const [index, t] of tickets.entries()) {
      await d.waitInTopic(GROUP, t.threadId, new RegExp(`group visitor ${index} again`));
      d.ctx.fake.sendText({
        from: t.agent.id,
        chatId: GROUP,
        threadId: t.threadId,
        text: `group answer ${index}`,
      });
    }
    for (const [index, t] of tickets.entries()) {
      await eventually(async () => (await d.agentLines(t.visitor)).includes(`group answer ${index}`));
    }
    for (const [index, t] of tickets.entries()) {
      expect(await d.agentLines(t.visitor)).toEqual([`group answer ${index}`]);
      const elsewhere = tickets
        .filter((other) => other !== t)
        .flatMap((other) => d.inTopic(GROUP, other.threadId))
        .filter((m) => textOf(m).includes(`group visitor ${index} again`));
      expect(elsewhere).toEqual([]);
    }
  });

  it('the claiming agent answers in the topic; others’ messages stay internal (🙈); /close with a note', async () => {
    const one = await d.newTicket('ticket one here');
    const two = await d.newTicket('ticket two here');
    await d.claim(ALICE, one);
    await d.claim(BOB, two);
    const topicOne = await d.waitTopic(GROUP, one.ticketId);
    const topicTwo = await d.waitTopic(GROUP, two.ticketId);
    await d.waitInTopic(GROUP, topicOne.message_thread_id, /Alice<\/b> is answering|Alice is answering/);

    d.ctx.fake.sendText({
      from: ALICE.id,
      chatId: GROUP,
      threadId: topicOne.message_thread_id,
      text: 'Alice answers one',
    });
    d.ctx.fake.sendText({
      from: BOB.id,
      chatId: GROUP,
      threadId: topicTwo.message_thread_id,
      text: 'Bob answers two',
    });
    const internal = d.ctx.fake.sendText({
      from: BOB.id,
      chatId: GROUP,
      threadId: topicOne.message_thread_id,
      text: 'Bob: internal hint for Alice',
    });
    await eventually(async () => (await d.agentLines(one.visitor)).includes('Alice answers one'));
    await eventually(async () => (await d.agentLines(two.visitor)).includes('Bob answers two'));
    const internalId = (internal.message as Message).message_id;
    await d.ctx.fake.waitFor(
      () => d.ctx.fake.botReactions(GROUP, internalId).some((r) => r.emoji === '🙈'),
      WAIT,
    );
    expect(await d.agentLines(one.visitor)).toEqual(['Alice answers one']);
    expect(await d.agentLines(two.visitor)).toEqual(['Bob answers two']);

    // Visitor messages after the claim go on arriving in the topic.
    await one.visitor.say('thanks, one more thing');
    await d.waitInTopic(GROUP, topicOne.message_thread_id, /one more thing/);

    d.ctx.fake.sendText({
      from: ALICE.id,
      chatId: GROUP,
      threadId: topicOne.message_thread_id,
      text: '/close Bye!',
    });
    await eventually(async () => (await one.visitor.conversation()).ticket?.status === 'closed');
    expect(await d.agentLines(one.visitor)).toContain('Bye!');
    await d.ctx.fake.waitFor(() => {
      const topic = d.ctx.fake.topic(GROUP, topicOne.message_thread_id);
      return topic?.name.startsWith('✅ ') && topic.is_closed;
    }, WAIT);
    expect((await two.visitor.conversation()).ticket?.status).toBe('claimed');
  });
});
