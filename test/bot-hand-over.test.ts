import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKind } from './support/database.ts';
import { ALICE, BOB, desk, GROUP, textOf, WAIT } from './support/telegram-desk.ts';
import { eventually, type Visitor } from './support/visitor.ts';

/** System lines the visitor sees, in order. */
const systemLines = async (visitor: Visitor) => (await visitor.messages('system')).map((m) => m.body);

describe(`hand-over in private topics (${databaseKind})`, () => {
  const d = desk({ mode: 'polling', forumGroup: false });
  beforeAll(d.start, 60_000);
  afterAll(d.stop);

  /** `/transfer [note]` in the agent's topic, then the menu's button `choice`. */
  const transfer = async (agent: { id: number }, threadId: number, choice: RegExp, note = '') => {
    const command = d.ctx.fake.sendText({ from: agent.id, threadId, text: `/transfer ${note}`.trim() });
    const menu = await d.ctx.fake.waitFor(
      () =>
        d.ctx.fake
          .messages(agent.id)
          .find((m) => m.from?.is_bot && m.reply_to_message?.message_id === command.message?.message_id),
      WAIT,
    );
    const button = menu.reply_markup?.inline_keyboard.flat().find((b) => choice.test(b.text));
    expect(button, `a button ${choice} in ${JSON.stringify(menu.reply_markup)}`).toBeDefined();
    d.ctx.fake.clickButton({
      from: agent.id,
      chatId: agent.id,
      messageId: menu.message_id,
      text: button?.text ?? '',
    });
    return menu;
  };

  it('Alice hands a ticket to Bob with a note: Bob gets note and history, the visitor sees Bob join, Alice’s topic closes', async () => {
    const { visitor, ticketId } = await d.newTicket('my invoice is wrong');
    await d.claim(ALICE, { visitor, ticketId });
    const aliceTopic = await d.waitTopic(ALICE.id, ticketId);
    d.ctx.fake.sendText({
      from: ALICE.id,
      threadId: aliceTopic.message_thread_id,
      text: 'checking with billing',
    });
    await eventually(async () => (await d.agentLines(visitor)).includes('checking with billing'));

    const menu = await transfer(
      ALICE,
      aliceTopic.message_thread_id,
      /Bob/,
      'Refund approved, please send it',
    );
    expect(textOf(menu)).toContain('Refund approved');
    await eventually(async () => (await visitor.conversation()).ticket?.agent_name === 'Bob');
    await eventually(async () => (await systemLines(visitor)).includes('Bob joined the conversation'));

    const bobTopic = await d.waitTopic(BOB.id, ticketId);
    const handed = await d.waitInTopic(BOB.id, bobTopic.message_thread_id, /handed/);
    expect(textOf(handed)).toContain('Alice handed');
    expect(textOf(handed)).toContain('Refund approved, please send it');
    const history = await d.waitInTopic(BOB.id, bobTopic.message_thread_id, /connected to/);
    expect(textOf(history)).toContain('my invoice is wrong');
    expect(textOf(history)).toContain('checking with billing');

    // Alice's topic is closed for her, with a word why; what she writes there no longer reaches the visitor.
    await d.waitInTopic(ALICE.id, aliceTopic.message_thread_id, /is now Bob’s/);
    await d.ctx.fake.waitFor(
      () => d.ctx.fake.topic(ALICE.id, aliceTopic.message_thread_id)?.name.startsWith('✅ '),
      WAIT,
    );
    d.ctx.fake.sendText({ from: ALICE.id, threadId: aliceTopic.message_thread_id, text: 'still me?' });
    await d.waitInTopic(ALICE.id, aliceTopic.message_thread_id, /not assigned to you/);

    // The visitor's next message goes to Bob only; Bob's answer reaches the visitor.
    await visitor.say('thanks, waiting');
    await d.waitInTopic(BOB.id, bobTopic.message_thread_id, /thanks, waiting/);
    expect(d.inTopic(ALICE.id, aliceTopic.message_thread_id).map(textOf).join('\n')).not.toContain(
      'thanks, waiting',
    );
    d.ctx.fake.sendText({ from: BOB.id, threadId: bobTopic.message_thread_id, text: 'refund sent' });
    await eventually(async () => (await d.agentLines(visitor)).includes('refund sent'));
    expect(await d.agentLines(visitor)).not.toContain('still me?');
  });

  it('back to the queue: the card offers it again; whoever claims it (Alice again) gets her topic back', async () => {
    const { visitor, ticketId } = await d.newTicket('who can help me?');
    await d.claim(BOB, { visitor, ticketId });
    const bobTopic = await d.waitTopic(BOB.id, ticketId);
    await d.waitInTopic(BOB.id, bobTopic.message_thread_id, /connected to/);
    await transfer(BOB, bobTopic.message_thread_id, /Back to queue/);
    await eventually(async () => (await visitor.conversation()).ticket?.status === 'open');
    await eventually(async () =>
      (await systemLines(visitor)).includes('The next available agent will take over the conversation'),
    );
    await d.waitInTopic(BOB.id, bobTopic.message_thread_id, /back in the queue/);

    // The card offers Claim again; Alice takes it.
    await d.claim(ALICE, { visitor, ticketId });
    const aliceTopic = await d.waitTopic(ALICE.id, ticketId);
    await d.waitInTopic(ALICE.id, aliceTopic.message_thread_id, /connected to/);
    // Handed back to Bob: his closed topic is his again (renamed back), not a second one.
    await transfer(ALICE, aliceTopic.message_thread_id, /Bob/);
    await d.ctx.fake.waitFor(
      () => d.ctx.fake.topic(BOB.id, bobTopic.message_thread_id)?.name.startsWith(`#${ticketId} ·`),
      WAIT,
    );
    expect(d.ctx.fake.topics(BOB.id).filter((t) => t.name.includes(`#${ticketId} ·`))).toHaveLength(1);
    await visitor.say('hello again');
    await d.waitInTopic(BOB.id, bobTopic.message_thread_id, /hello again/);
  });

  it('only the agent answering a ticket can hand it over', async () => {
    const { visitor, ticketId } = await d.newTicket('mine, not yours');
    await d.claim(ALICE, { visitor, ticketId });
    d.ctx.fake.sendText({ from: BOB.id, text: `/transfer ${ticketId}` });
    await d.ctx.fake.waitFor(
      () => d.ctx.fake.sentTo(BOB.id).find((m) => /Only the agent answering/.test(textOf(m))),
      WAIT,
    );
    expect((await visitor.conversation()).ticket?.agent_name).toBe('Alice');
  });
});

describe(`hand-over in group topics (${databaseKind})`, () => {
  const d = desk({ mode: 'webhook', forumGroup: true, ticketThreads: 'group-topics' });
  beforeAll(d.start, 60_000);
  afterAll(d.stop);

  it('in the ticket’s topic: Bob answers from then on, Alice’s messages stay in the team', async () => {
    const { visitor, ticketId } = await d.newTicket('group topic hand-over');
    await d.claim(ALICE, { visitor, ticketId });
    const topic = await d.waitTopic(GROUP, ticketId);
    await d.waitInTopic(GROUP, topic.message_thread_id, /Alice.*is answering/);
    const command = d.ctx.fake.sendText({
      from: ALICE.id,
      chatId: GROUP,
      threadId: topic.message_thread_id,
      text: '/transfer over to you Bob',
    });
    const menu = await d.ctx.fake.waitFor(
      () =>
        d.ctx.fake
          .messages(GROUP)
          .find((m) => m.from?.is_bot && m.reply_to_message?.message_id === command.message?.message_id),
      WAIT,
    );
    // Bob cannot press Alice's menu for her.
    const bobButton = menu.reply_markup?.inline_keyboard.flat().find((b) => /Bob/.test(b.text));
    d.ctx.fake.clickButton({
      from: BOB.id,
      chatId: GROUP,
      messageId: menu.message_id,
      text: '↩️ Back to queue',
    });
    await d.ctx.fake.waitFor(
      () => d.ctx.fake.callbackAnswers().find((a) => /not assigned to you/.test(a.text ?? '')),
      WAIT,
    );
    d.ctx.fake.clickButton({ from: BOB.id, chatId: GROUP, messageId: menu.message_id, text: 'Cancel' });
    await d.ctx.fake.waitFor(
      () => d.ctx.fake.callbackAnswers().find((a) => /Only the agent answering/.test(a.text ?? '')),
      WAIT,
    );
    d.ctx.fake.clickButton({
      from: ALICE.id,
      chatId: GROUP,
      messageId: menu.message_id,
      text: bobButton?.text ?? '',
    });
    await eventually(async () => (await visitor.conversation()).ticket?.agent_name === 'Bob');
    await d.waitInTopic(GROUP, topic.message_thread_id, /over to you Bob/);
    await d.waitInTopic(GROUP, topic.message_thread_id, /Bob.*is answering/);

    d.ctx.fake.sendText({
      from: ALICE.id,
      chatId: GROUP,
      threadId: topic.message_thread_id,
      text: 'alice internal',
    });
    d.ctx.fake.sendText({
      from: BOB.id,
      chatId: GROUP,
      threadId: topic.message_thread_id,
      text: 'bob answers',
    });
    await eventually(async () => (await d.agentLines(visitor)).includes('bob answers'));
    expect(await d.agentLines(visitor)).not.toContain('alice internal');
  });
});
