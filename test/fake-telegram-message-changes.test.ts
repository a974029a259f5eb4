import { Bot } from 'grammy';
import type { ReactionTypeEmoji, Update } from 'grammy/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeTelegram, startFakeTelegram } from './fake-telegram/index.ts';
import { rawCall, refusal } from './fake-telegram/test-client.ts';

const ANN = { id: 1001, first_name: 'Ann', username: 'ann' };
const BOB = { id: 1002, first_name: 'Bob' };
const GROUP = -1001234567890;

let fake: FakeTelegram;
let bot: Bot;

beforeEach(async () => {
  fake = await startFakeTelegram();
  fake.addUser(ANN);
  fake.addUser(BOB);
  fake.addGroup({ id: GROUP, title: 'Support', isForum: true, botStatus: 'administrator' });
  bot = new Bot(fake.token, { client: { apiRoot: fake.apiRoot } });
});
afterEach(() => fake.close());

const thumbsUp: ReactionTypeEmoji = { type: 'emoji', emoji: '👍' };
const updatesNow = async (params: Record<string, unknown> = {}): Promise<Update[]> =>
  (await rawCall(fake, 'getUpdates', params)).body.result;

describe('users edit their messages', () => {
  it('an edited_message update keeps message_id, sets edit_date and changes the stored message', async () => {
    const sent = fake.sendText({ from: ANN.id, text: 'Where is my ordr?' }).message;
    const edit = fake.editText({
      from: ANN.id,
      messageId: sent?.message_id as number,
      text: 'Where is my order?',
    });
    expect(edit.edited_message).toMatchObject({
      message_id: sent?.message_id,
      text: 'Where is my order?',
      date: sent?.date,
      edit_date: expect.any(Number),
    });
    expect((edit.edited_message?.edit_date as number) > (sent?.date as number)).toBe(true);
    expect((await updatesNow()).map((u) => [u.message?.text, u.edited_message?.text])).toEqual([
      ['Where is my ordr?', undefined],
      [undefined, 'Where is my order?'],
    ]);
    expect(fake.message(ANN.id, sent?.message_id as number)?.text).toBe('Where is my order?');
    const photo = fake.sendPhoto({ from: ANN.id, bytes: Buffer.from('x'), caption: 'before' }).message;
    expect(
      fake.editText({ from: ANN.id, messageId: photo?.message_id as number, text: 'after' }).edited_message
        ?.caption,
    ).toBe('after');
    const ours = await bot.api.sendMessage(ANN.id, 'from the bot');
    expect(() => fake.editText({ from: ANN.id, messageId: ours.message_id, text: 'x' })).toThrow(
      /not theirs/,
    );
  });

  it('the bot edits its own messages with no time limit (TDLib: no edit limit for outgoing bot messages)', async () => {
    const sent = await bot.api.sendMessage(ANN.id, 'Ticket #1: open');
    fake.ageMessage(ANN.id, sent.message_id, 24 * 30);
    expect(fake.message(ANN.id, sent.message_id)?.date).toBe(sent.date - 30 * 24 * 3600);
    const edited = await bot.api.editMessageText(ANN.id, sent.message_id, 'Ticket #1: closed');
    expect(edited).toMatchObject({ text: 'Ticket #1: closed' });
    const theirs = fake.sendText({ from: ANN.id, text: 'mine' }).message;
    expect(await refusal(bot.api.editMessageText(ANN.id, theirs?.message_id as number, 'x'))).toEqual([
      400,
      "Bad Request: message can't be edited",
    ]);
  });
});

describe('deleting messages', () => {
  it('in private chats the bot deletes outgoing and incoming messages under 48 hours old', async () => {
    const ours = await bot.api.sendMessage(ANN.id, 'ours');
    const theirs = fake.sendText({ from: ANN.id, text: 'theirs' }).message?.message_id as number;
    await bot.api.deleteMessage(ANN.id, ours.message_id);
    await bot.api.deleteMessage(ANN.id, theirs);
    expect([fake.isDeleted(ANN.id, ours.message_id), fake.isDeleted(ANN.id, theirs)]).toEqual([true, true]);
    expect(fake.messages(ANN.id)).toEqual([]);
    expect(await refusal(bot.api.deleteMessage(ANN.id, theirs))).toEqual([
      400,
      'Bad Request: message to delete not found',
    ]);

    const old = await bot.api.sendMessage(ANN.id, 'old');
    fake.ageMessage(ANN.id, old.message_id, 48.5);
    expect(await refusal(bot.api.deleteMessage(ANN.id, old.message_id))).toEqual([
      400,
      "Bad Request: message can't be deleted for everyone",
    ]);
    expect(fake.isDeleted(ANN.id, old.message_id)).toBe(false);
  });

  it('in supergroups: own messages, others only with can_delete_messages, never topic openers or 48 h+', async () => {
    const { message_thread_id: thread } = await bot.api.createForumTopic(GROUP, 'Ticket');
    expect(await refusal(bot.api.deleteMessage(GROUP, thread))).toEqual([
      400,
      "Bad Request: message can't be deleted",
    ]);
    const ann = fake.sendText({ from: ANN.id, chatId: GROUP, text: 'hello' }).message?.message_id as number;
    const own = (await bot.api.sendMessage(GROUP, 'mine')).message_id;
    fake.setBotRights(GROUP, { can_delete_messages: false });
    expect(await refusal(bot.api.deleteMessage(GROUP, ann))).toEqual([
      400,
      "Bad Request: message can't be deleted",
    ]);
    await bot.api.deleteMessage(GROUP, own);
    fake.setBotRights(GROUP, {});
    fake.ageMessage(GROUP, ann, 49);
    expect(await refusal(bot.api.deleteMessage(GROUP, ann))).toEqual([
      400,
      "Bad Request: message can't be deleted",
    ]);
    fake.ageMessage(GROUP, ann, -2);
    await bot.api.deleteMessage(GROUP, ann);
    expect(fake.isDeleted(GROUP, ann)).toBe(true);
  });

  it('deleteMessages skips missing ids and fails whole when one may not be deleted', async () => {
    const a = (await bot.api.sendMessage(ANN.id, 'a')).message_id;
    const b = (await bot.api.sendMessage(ANN.id, 'b')).message_id;
    const old = (await bot.api.sendMessage(ANN.id, 'old')).message_id;
    fake.ageMessage(ANN.id, old, 72);
    expect(await refusal(bot.api.deleteMessages(ANN.id, [a, old]))).toEqual([
      400,
      "Bad Request: message can't be deleted for everyone",
    ]);
    expect(fake.isDeleted(ANN.id, a)).toBe(false);
    expect(await bot.api.deleteMessages(ANN.id, [a, b, 999])).toBe(true);
    expect(fake.messages(ANN.id).map((m) => m.text)).toEqual(['old']);
    expect(await refusal(bot.api.deleteMessages(ANN.id, []))).toEqual([
      400,
      'Bad Request: message identifiers are not specified',
    ]);
  });

  it('a user deleting a message sends the bot nothing', async () => {
    const sent = fake.sendText({ from: ANN.id, text: 'oops' }).message?.message_id as number;
    await updatesNow();
    const before = fake.pendingUpdateCount();
    fake.deleteByUser({ chatId: ANN.id, messageId: sent });
    expect(fake.isDeleted(ANN.id, sent)).toBe(true);
    expect(fake.pendingUpdateCount()).toBe(before);
  });
});

describe('reactions', () => {
  it('setMessageReaction sets one allowed emoji, replaces it, and [] removes it', async () => {
    const theirs = fake.sendText({ from: ANN.id, text: 'thanks!' }).message?.message_id as number;
    await bot.api.setMessageReaction(ANN.id, theirs, [thumbsUp]);
    expect(fake.botReactions(ANN.id, theirs)).toEqual([thumbsUp]);
    await bot.api.setMessageReaction(ANN.id, theirs, [{ type: 'emoji', emoji: '🔥' }]);
    expect(fake.reactions(ANN.id, theirs)).toEqual([
      { userId: fake.botUser.id, reaction: [{ type: 'emoji', emoji: '🔥' }] },
    ]);
    await bot.api.setMessageReaction(ANN.id, theirs, []);
    expect(fake.botReactions(ANN.id, theirs)).toEqual([]);
  });

  it('refuses emoji outside the list, more than one reaction, paid reactions and missing messages', async () => {
    const theirs = fake.sendText({ from: ANN.id, text: 'hi' }).message?.message_id as number;
    const notAllowed = { type: 'emoji', emoji: '🙂' } as unknown as ReactionTypeEmoji;
    expect(await refusal(bot.api.setMessageReaction(ANN.id, theirs, [notAllowed]))).toEqual([
      400,
      'Bad Request: REACTION_INVALID',
    ]);
    expect(
      await refusal(bot.api.setMessageReaction(ANN.id, theirs, [thumbsUp, { type: 'emoji', emoji: '❤' }])),
    ).toEqual([400, 'Bad Request: REACTIONS_TOO_MANY']);
    expect(await refusal(bot.api.setMessageReaction(ANN.id, theirs, [{ type: 'paid' }]))).toEqual([
      400,
      "Bad Request: can't parse ReactionType: invalid reaction type specified",
    ]);
    expect(await refusal(bot.api.setMessageReaction(ANN.id, 999, [thumbsUp]))).toEqual([
      400,
      'Bad Request: message to react not found',
    ]);
    expect(fake.reactions(ANN.id, theirs)).toEqual([]);
  });

  it('a user reaction is a message_reaction update, delivered only when allowed_updates asks for it', async () => {
    const ours = await bot.api.sendMessage(ANN.id, 'Solved?');
    const first = fake.react({ from: ANN.id, messageId: ours.message_id, emoji: '👍' });
    expect(first.message_reaction).toEqual({
      chat: { id: ANN.id, type: 'private', first_name: 'Ann', username: 'ann' },
      message_id: ours.message_id,
      user: { id: ANN.id, is_bot: false, first_name: 'Ann', username: 'ann' },
      date: expect.any(Number),
      old_reaction: [],
      new_reaction: [thumbsUp],
    });
    expect(await updatesNow()).toEqual([]); // default allowed_updates leave reactions out
    const second = fake.react({ from: ANN.id, messageId: ours.message_id, emoji: ['❤'] });
    expect(second.message_reaction?.old_reaction).toEqual([thumbsUp]);
    const allowed = await updatesNow({ allowed_updates: ['message', 'message_reaction'] });
    expect(allowed.map((u) => u.update_id)).toEqual([second.update_id]);
    expect(fake.reactions(ANN.id, ours.message_id)).toEqual([
      { userId: ANN.id, reaction: [{ type: 'emoji', emoji: '❤' }] },
    ]);
    expect(() => fake.react({ from: ANN.id, messageId: ours.message_id, emoji: '🙂' })).toThrow(
      /not a reaction/,
    );
  });

  it('in groups the bot gets reactions only as an administrator', async () => {
    const sent = (await bot.api.sendMessage(GROUP, 'Ticket #5')).message_id;
    await updatesNow({ allowed_updates: ['message_reaction'] });
    expect(
      fake.react({ from: BOB.id, chatId: GROUP, messageId: sent, emoji: '👍' }).update_id,
    ).toBeGreaterThan(0);
    fake.setChatMember(GROUP, fake.botUser.id, 'member');
    expect(fake.react({ from: ANN.id, chatId: GROUP, messageId: sent, emoji: '👍' }).update_id).toBe(0);
    expect((await updatesNow()).map((u) => u.message_reaction?.user?.id)).toEqual([BOB.id]);
  });
});
