import { Bot } from 'grammy';
import type { Update } from 'grammy/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeTelegram, startFakeTelegram } from './fake-telegram/index.ts';
import { rawCall, refusal } from './fake-telegram/test-client.ts';

const ANN = { id: 1001, first_name: 'Ann', username: 'ann' };
const BOB = { id: 1002, first_name: 'Bob' };
const FORUM = -1001234567890;
const PLAIN_GROUP = -1009876543210;

let fake: FakeTelegram;
let bot: Bot;

beforeEach(async () => {
  fake = await startFakeTelegram();
  fake.addUser(ANN);
  fake.addUser(BOB);
  fake.addGroup({ id: FORUM, title: 'Support', isForum: true, botStatus: 'administrator' });
  fake.addGroup({ id: PLAIN_GROUP, title: 'Plain', botStatus: 'administrator' });
  bot = new Bot(fake.token, { client: { apiRoot: fake.apiRoot } });
});
afterEach(() => fake.close());

describe('topic mode in private chats (Bot API 9.3/9.4)', () => {
  it('getMe reports it off by default; setBotTopics and the start option switch it on', async () => {
    expect(await bot.api.getMe()).toMatchObject({
      has_topics_enabled: false,
      allows_users_to_create_topics: false,
    });
    fake.setBotTopics({ enabled: true, usersCanCreate: false });
    expect(await bot.api.getMe()).toMatchObject({
      has_topics_enabled: true,
      allows_users_to_create_topics: false,
    });

    const other = await startFakeTelegram({ topicsInPrivateChats: true });
    try {
      const me = await new Bot(other.token, { client: { apiRoot: other.apiRoot } }).api.getMe();
      expect(me).toMatchObject({ has_topics_enabled: true, allows_users_to_create_topics: true });
    } finally {
      await other.close();
    }
  });

  it('createForumTopic in a private chat needs topic mode and a user who started the bot', async () => {
    expect(await refusal(bot.api.createForumTopic(ANN.id, 'Ticket #1'))).toEqual([
      400,
      'Bad Request: the chat is not a forum',
    ]);
    fake.setBotTopics({ enabled: true });
    const topic = await bot.api.createForumTopic(ANN.id, 'Ticket #1');
    expect(topic).toEqual({ message_thread_id: 1, name: 'Ticket #1', icon_color: 0x6fb9f0 });
    // The topic opens with a forum_topic_created service message whose id is the thread id.
    expect(fake.message(ANN.id, 1)).toMatchObject({
      message_id: 1,
      from: { id: fake.botUser.id },
      message_thread_id: 1,
      is_topic_message: true,
      forum_topic_created: { name: 'Ticket #1', icon_color: 0x6fb9f0 },
    });
    expect(fake.topics(ANN.id)).toEqual([
      {
        message_thread_id: 1,
        name: 'Ticket #1',
        icon_color: 0x6fb9f0,
        is_closed: false,
        created_by: fake.botUser.id,
      },
    ]);

    fake.addUser({ id: 1003, first_name: 'Cy', startedBot: false });
    expect(await refusal(bot.api.createForumTopic(1003, 'x'))).toEqual([
      403,
      "Forbidden: bot can't initiate conversation with a user",
    ]);
  });

  it('close and reopen are for forum supergroups only; edit and delete work in private chats', async () => {
    fake.setBotTopics({ enabled: true });
    const { message_thread_id: thread } = await bot.api.createForumTopic(ANN.id, 'Ticket #2');
    expect(await refusal(bot.api.closeForumTopic(ANN.id, thread))).toEqual([
      400,
      'Bad Request: the chat is not a supergroup forum',
    ]);
    expect(await refusal(bot.api.reopenForumTopic(ANN.id, thread))).toEqual([
      400,
      'Bad Request: the chat is not a supergroup forum',
    ]);
    await bot.api.editForumTopic(ANN.id, thread, { name: 'Ticket #2 · solved' });
    expect(fake.topic(ANN.id, thread)?.name).toBe('Ticket #2 · solved');
    await bot.api.sendMessage(ANN.id, 'inside', { message_thread_id: thread });
    await bot.api.deleteForumTopic(ANN.id, thread);
    expect(fake.topics(ANN.id)).toEqual([]);
    expect(fake.messagesInThread(ANN.id, thread)).toEqual([]);
    expect(fake.isDeleted(ANN.id, thread)).toBe(true);
  });
});

describe('forum supergroups', () => {
  it('createForumTopic needs a forum, and an administrator bot with can_manage_topics', async () => {
    expect(await refusal(bot.api.createForumTopic(PLAIN_GROUP, 'x'))).toEqual([
      400,
      'Bad Request: the chat is not a forum',
    ]);
    fake.setBotRights(FORUM, { can_manage_topics: false });
    expect(
      (await bot.api.getChatMember(FORUM, fake.botUser.id)) as { can_manage_topics?: boolean },
    ).toMatchObject({
      status: 'administrator',
      can_manage_topics: false,
    });
    expect(await refusal(bot.api.createForumTopic(FORUM, 'x'))).toEqual([
      400,
      'Bad Request: not enough rights to create a topic',
    ]);
    fake.setChatMember(FORUM, fake.botUser.id, 'member');
    expect(await refusal(bot.api.createForumTopic(FORUM, 'x'))).toEqual([
      400,
      'Bad Request: not enough rights to create a topic',
    ]);
    fake.setChatMember(FORUM, fake.botUser.id, 'administrator');
    const topic = await bot.api.createForumTopic(FORUM, 'Ticket #3', { icon_color: 0xff93b2 });
    expect(topic).toEqual({ message_thread_id: 1, name: 'Ticket #3', icon_color: 0xff93b2 });
    expect((await bot.api.getChat(FORUM)).is_forum).toBe(true);
  });

  it('names are cleaned and cut to 128 characters as TDLib does; empty names and odd colours are refused', async () => {
    expect(await refusal(bot.api.createForumTopic(FORUM, ' \n '))).toEqual([
      400,
      'Bad Request: name must be non-empty',
    ]);
    const long = await bot.api.createForumTopic(FORUM, `  Ticket \n\n ${'é'.repeat(200)}`);
    expect(long.name).toBe(`Ticket ${'é'.repeat(121)}`);
    expect([...long.name]).toHaveLength(128);
    const odd = rawCall(fake, 'createForumTopic', { chat_id: FORUM, name: 'x', icon_color: 0x123456 });
    expect((await odd).body).toEqual({
      ok: false,
      error_code: 400,
      description: 'Bad Request: invalid icon color specified',
    });
  });

  it('editForumTopic keeps the name when empty, refuses no-op edits and unknown topics', async () => {
    const { message_thread_id: thread } = await bot.api.createForumTopic(FORUM, 'Ticket #4');
    expect(await bot.api.editForumTopic(FORUM, thread, { name: '' })).toBe(true);
    expect(fake.topic(FORUM, thread)?.name).toBe('Ticket #4');
    expect(await refusal(bot.api.editForumTopic(FORUM, thread, { name: 'Ticket #4' }))).toEqual([
      400,
      'Bad Request: TOPIC_NOT_MODIFIED',
    ]);
    await bot.api.editForumTopic(FORUM, thread, { name: 'Ticket #4 (Ann)' });
    expect(fake.lastMessage(FORUM)).toMatchObject({
      message_thread_id: thread,
      forum_topic_edited: { name: 'Ticket #4 (Ann)' },
    });
    expect(await refusal(bot.api.editForumTopic(FORUM, 999, { name: 'x' }))).toEqual([
      400,
      'Bad Request: TOPIC_ID_INVALID',
    ]);
  });

  it('close / reopen toggle is_closed with service messages; twice is TOPIC_NOT_MODIFIED', async () => {
    const { message_thread_id: thread } = await bot.api.createForumTopic(FORUM, 'Ticket #5');
    await bot.api.closeForumTopic(FORUM, thread);
    expect(fake.topic(FORUM, thread)?.is_closed).toBe(true);
    expect(fake.lastMessage(FORUM)).toMatchObject({ message_thread_id: thread, forum_topic_closed: {} });
    expect(await refusal(bot.api.closeForumTopic(FORUM, thread))).toEqual([
      400,
      'Bad Request: TOPIC_NOT_MODIFIED',
    ]);
    await bot.api.reopenForumTopic(FORUM, thread);
    expect(fake.topic(FORUM, thread)?.is_closed).toBe(false);
    expect(fake.lastMessage(FORUM)).toMatchObject({ forum_topic_reopened: {} });
  });

  it("without rights the bot may manage only the topics it created; others' need can_manage_topics", async () => {
    const own = await bot.api.createForumTopic(FORUM, 'Bot topic');
    const users = fake.createTopic({ from: ANN.id, chatId: FORUM, name: 'Ann asks' });
    const annThread = users.message?.message_thread_id as number;
    fake.setBotRights(FORUM, { can_manage_topics: false, can_delete_messages: false });
    await bot.api.closeForumTopic(FORUM, own.message_thread_id);
    expect(await refusal(bot.api.closeForumTopic(FORUM, annThread))).toEqual([
      400,
      'Bad Request: not enough rights to close or open the topic',
    ]);
    expect(await refusal(bot.api.editForumTopic(FORUM, annThread, { name: 'y' }))).toEqual([
      400,
      'Bad Request: not enough rights to edit the topic',
    ]);
    expect(await refusal(bot.api.deleteForumTopic(FORUM, annThread))).toEqual([
      400,
      'Bad Request: not enough rights to delete the topic',
    ]);
    expect(fake.topic(FORUM, annThread)).toMatchObject({
      name: 'Ann asks',
      is_closed: false,
      created_by: ANN.id,
    });
  });
});

describe('message_thread_id on sends', () => {
  it('a message sent into a topic carries message_thread_id, is_topic_message and, in groups, the implicit reply', async () => {
    const { message_thread_id: thread } = await bot.api.createForumTopic(FORUM, 'Ticket #6');
    const sent = await bot.api.sendMessage(FORUM, 'Hello from the topic', { message_thread_id: thread });
    expect(sent).toMatchObject({ message_thread_id: thread, is_topic_message: true });
    // The Bot API shows a topic message in a supergroup as a reply to the topic's opening message.
    expect(sent.reply_to_message).toMatchObject({
      message_id: thread,
      forum_topic_created: { name: 'Ticket #6' },
    });
    const general = await bot.api.sendMessage(FORUM, 'General chatter');
    expect(general.message_thread_id).toBeUndefined();
    expect(general.is_topic_message).toBeUndefined();
    expect(fake.sentTo(FORUM, { threadId: thread }).map((m) => m.text)).toEqual(['Hello from the topic']);
    expect(fake.sentTo(FORUM).map((m) => m.text)).toEqual(['Hello from the topic', 'General chatter']);
    expect(fake.messagesInThread(FORUM, thread).map((m) => m.text ?? 'service')).toEqual([
      'service',
      'Hello from the topic',
    ]);
  });

  it('private-chat topics have no implicit reply; an unknown or General thread is "message thread not found"', async () => {
    fake.setBotTopics({ enabled: true });
    const { message_thread_id: thread } = await bot.api.createForumTopic(ANN.id, 'Ticket #7');
    const sent = await bot.api.sendMessage(ANN.id, 'hi', { message_thread_id: thread });
    expect(sent).toMatchObject({ message_thread_id: thread, is_topic_message: true });
    expect(sent.reply_to_message).toBeUndefined();
    for (const [chat, id] of [
      [ANN.id, 999],
      [FORUM, 999],
      [FORUM, 1],
    ] as const) {
      expect(
        await refusal(bot.api.sendMessage(chat, 'x', { message_thread_id: id })),
        `${chat}/${id}`,
      ).toEqual([400, 'Bad Request: message thread not found']);
    }
    expect(await refusal(bot.api.sendChatAction(ANN.id, 'typing', { message_thread_id: 999 }))).toEqual([
      400,
      'Bad Request: message thread not found',
    ]);
    // In a supergroup that is not a forum the Bot API ignores message_thread_id.
    expect(
      (await bot.api.sendMessage(PLAIN_GROUP, 'x', { message_thread_id: 999 })).message_thread_id,
    ).toBeUndefined();
    fake.setBotTopics({ enabled: false });
    expect(await refusal(bot.api.sendMessage(ANN.id, 'x', { message_thread_id: thread }))).toEqual([
      400,
      'Bad Request: message thread not found',
    ]);
  });

  it('a closed topic takes posts from its creator and topic managers only (TOPIC_CLOSED otherwise)', async () => {
    const annTopic = fake.createTopic({ from: ANN.id, chatId: FORUM, name: 'Ann asks' }).message
      ?.message_thread_id as number;
    const botTopic = (await bot.api.createForumTopic(FORUM, 'Bot asks')).message_thread_id;
    await bot.api.closeForumTopic(FORUM, annTopic);
    await bot.api.closeForumTopic(FORUM, botTopic);
    expect((await bot.api.sendMessage(FORUM, 'admin may', { message_thread_id: annTopic })).text).toBe(
      'admin may',
    );
    fake.setBotRights(FORUM, { can_manage_topics: false });
    expect(await refusal(bot.api.sendMessage(FORUM, 'x', { message_thread_id: annTopic }))).toEqual([
      400,
      'Bad Request: TOPIC_CLOSED',
    ]);
    expect((await bot.api.sendMessage(FORUM, 'creator may', { message_thread_id: botTopic })).text).toBe(
      'creator may',
    );
    expect(() =>
      fake.sendText({ from: BOB.id, chatId: FORUM, threadId: botTopic, text: 'let me in' }),
    ).toThrow(/TOPIC_CLOSED/);
  });

  it('sendChatAction is recorded per thread', async () => {
    const { message_thread_id: thread } = await bot.api.createForumTopic(FORUM, 'Ticket #8');
    await bot.api.sendChatAction(FORUM, 'typing', { message_thread_id: thread });
    await bot.api.sendChatAction(FORUM, 'record_voice');
    expect(fake.chatActions(FORUM, { threadId: thread }).map((a) => a.action)).toEqual(['typing']);
    expect(fake.chatActions(FORUM).map((a) => [a.action, a.threadId])).toEqual([
      ['typing', thread],
      ['record_voice', undefined],
    ]);
  });

  it('a reply without message_thread_id lands in the replied message’s topic; a cross-topic reply is external', async () => {
    const first = (await bot.api.createForumTopic(FORUM, 'One')).message_thread_id;
    const second = (await bot.api.createForumTopic(FORUM, 'Two')).message_thread_id;
    const question = fake.sendText({
      from: ANN.id,
      chatId: FORUM,
      threadId: first,
      text: 'question',
    }).message;
    const answer = await bot.api.sendMessage(FORUM, 'answer', {
      reply_parameters: { message_id: question?.message_id as number },
    });
    expect(answer).toMatchObject({ message_thread_id: first, reply_to_message: { text: 'question' } });
    const across = await bot.api.sendMessage(FORUM, 'see there', {
      message_thread_id: second,
      reply_parameters: { message_id: question?.message_id as number },
    });
    expect(across.reply_to_message).toBeUndefined();
    expect(across).toMatchObject({
      message_thread_id: second,
      external_reply: { message_id: question?.message_id, chat: { id: FORUM } },
    });
  });
});

describe('users in topics', () => {
  it('a user message in a topic carries the thread; a reply inside it carries reply_to_message', async () => {
    fake.setBotTopics({ enabled: true });
    const { message_thread_id: thread } = await bot.api.createForumTopic(ANN.id, 'Ticket #9');
    const asked = fake.sendText({ from: ANN.id, threadId: thread, text: 'my order?' });
    expect(asked.message).toMatchObject({
      message_thread_id: thread,
      is_topic_message: true,
      text: 'my order?',
    });
    const ours = await bot.api.sendMessage(ANN.id, 'which one?', { message_thread_id: thread });
    const reply = fake.sendText({ from: ANN.id, threadId: thread, replyTo: ours.message_id, text: '#42' });
    expect(reply.message).toMatchObject({
      message_thread_id: thread,
      reply_to_message: { message_id: ours.message_id, text: 'which one?' },
    });
    const updates: Update[] = (await rawCall(fake, 'getUpdates')).body.result;
    expect(updates.map((u) => u.message?.text)).toEqual(['my order?', '#42']);
    expect(() => fake.sendText({ from: ANN.id, threadId: 777, text: 'x' })).toThrow(
      /message thread not found/,
    );
  });

  it('users create topics in the bot chat only when allowed; the bot gets the forum_topic_created message', async () => {
    expect(() => fake.createTopic({ from: ANN.id, name: 'Help' })).toThrow(/setBotTopics/);
    fake.setBotTopics({ enabled: true, usersCanCreate: false });
    expect(() => fake.createTopic({ from: ANN.id, name: 'Help' })).toThrow(/usersCanCreate/);
    fake.setBotTopics({ enabled: true });
    const opened = fake.createTopic({ from: ANN.id, name: 'Help' });
    expect(opened.update_id).toBeGreaterThan(0);
    expect(opened.message).toMatchObject({
      from: { id: ANN.id },
      message_thread_id: opened.message?.message_id,
      forum_topic_created: { name: 'Help', icon_color: 0x6fb9f0 },
    });
    expect(fake.topics(ANN.id).map((t) => [t.name, t.created_by])).toEqual([['Help', ANN.id]]);
  });
});
