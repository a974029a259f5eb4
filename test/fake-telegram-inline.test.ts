import { Bot } from 'grammy';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeTelegram, INLINE_QUERY_TIMEOUT_MS, startFakeTelegram } from './fake-telegram/index.ts';
import { rawCall, refusal } from './fake-telegram/test-client.ts';

const ANN = { id: 1001, first_name: 'Ann', username: 'ann' };
const GROUP = -1001230000000;

let fake: FakeTelegram;
let bot: Bot;

const article = (id: string, text = 'Hello') => ({
  type: 'article',
  id,
  title: `Result ${id}`,
  input_message_content: { message_text: text },
});

beforeEach(async () => {
  fake = await startFakeTelegram();
  fake.addUser(ANN);
  fake.addGroup({ id: GROUP, title: 'Support', botStatus: 'member' });
  fake.setChatMember(GROUP, ANN.id, 'member');
  bot = new Bot(fake.token, { client: { apiRoot: fake.apiRoot } });
});
afterEach(() => fake.close());

describe('inline mode in the fake Bot API', () => {
  it('is off until BotFather’s /setinline: getMe says so, and users cannot send inline queries', async () => {
    expect((await bot.api.getMe()).supports_inline_queries).toBe(false);
    expect(() => fake.sendInlineQuery({ from: ANN.id, query: 'x' })).toThrow(/inline mode is off/);
    fake.setInlineMode(true);
    expect((await bot.api.getMe()).supports_inline_queries).toBe(true);
  });

  it('an inline_query names the user and the query, never the chat or topic; getUpdates delivers it', async () => {
    fake.setInlineMode(true);
    const sent = fake.sendInlineQuery({ from: ANN.id, query: 'refund', chatType: 'supergroup' });
    const [update] = await bot.api.getUpdates({ timeout: 0 });
    expect(update?.update_id).toBe(sent.update_id);
    expect(update?.inline_query).toEqual({
      id: expect.any(String),
      from: expect.objectContaining({ id: ANN.id }),
      query: 'refund',
      offset: '',
      chat_type: 'supergroup',
    });
    expect(JSON.stringify(update)).not.toMatch(/"chat"|message_thread_id/);
  });

  it('answerInlineQuery holds results to Telegram’s rules', async () => {
    fake.setInlineMode(true);
    const id = () => fake.sendInlineQuery({ from: ANN.id, query: '' }).inline_query?.id ?? '';
    const answer = (results: unknown[], extra: Record<string, unknown> = {}) =>
      rawCall(fake, 'answerInlineQuery', { inline_query_id: id(), results, ...extra });

    const tooMany = await answer(Array.from({ length: 51 }, (_, i) => article(`r${i}`)));
    expect(tooMany.body.description).toBe('Bad Request: RESULTS_TOO_MUCH');
    expect((await answer([article('a'), article('a')])).body.description).toBe(
      'Bad Request: RESULT_ID_DUPLICATE',
    );
    expect((await answer([article('x'.repeat(65))])).body.description).toBe('Bad Request: RESULT_ID_INVALID');
    // 64 bytes is the limit in bytes, not characters: 22 three-byte characters are 66 bytes.
    expect((await answer([article('€'.repeat(22))])).body.description).toBe('Bad Request: RESULT_ID_INVALID');
    expect((await answer([article('')])).body.description).toBe('Bad Request: RESULT_ID_INVALID');
    expect((await answer([{ ...article('t'), title: '' }])).status).toBe(400);
    expect((await answer([{ type: 'article', id: 'm', title: 'T' }])).body.description).toMatch(
      /input_message_content/,
    );
    expect((await answer([article('long', 'x'.repeat(4097))])).body.description).toBe(
      'Bad Request: message is too long',
    );
    expect((await answer([article('blank', '   ')])).body.description).toBe(
      'Bad Request: message text is empty',
    );
    expect((await answer([article('html', '<b>bold')], {})).status).toBe(200);
    expect(
      (
        await answer([
          { ...article('p'), input_message_content: { message_text: '<b>x', parse_mode: 'HTML' } },
        ])
      ).status,
    ).toBe(400);
    expect((await answer([article('ok')], { next_offset: 'x'.repeat(65) })).status).toBe(400);
    expect((await answer(Array.from({ length: 50 }, (_, i) => article(`r${i}`)))).status).toBe(200);
  });

  it('a query is answered once, within its time', async () => {
    fake.setInlineMode(true);
    const first = fake.sendInlineQuery({ from: ANN.id, query: 'a' }).inline_query?.id ?? '';
    await bot.api.answerInlineQuery(first, [article('1') as never]);
    const [code, description] = await refusal(bot.api.answerInlineQuery(first, [article('1') as never]));
    expect([code, description]).toEqual([
      400,
      'Bad Request: query is too old and response timeout expired or query ID is invalid',
    ]);
    const late = fake.sendInlineQuery({ from: ANN.id, query: 'b' }).inline_query?.id ?? '';
    fake.ageInlineQuery(late, INLINE_QUERY_TIMEOUT_MS + 1);
    expect((await refusal(bot.api.answerInlineQuery(late, [])))[0]).toBe(400);
    expect((await refusal(bot.api.answerInlineQuery('12345', [])))[0]).toBe(400);
  });

  it('picking a result posts its message from the user, via_bot the bot, where they are; a group bot sees it despite privacy mode', async () => {
    fake.setInlineMode(true);
    const query = fake.sendInlineQuery({ from: ANN.id, query: 'hi' });
    const id = query.inline_query?.id ?? '';
    expect(() => fake.chooseInlineResult({ query, resultId: 'one', chatId: GROUP })).toThrow(/not answered/);
    await bot.api.answerInlineQuery(id, [article('one', 'Hi there') as never]);
    expect(fake.inlineAnswer(id)?.results.map((r) => r.id)).toEqual(['one']);
    expect(() => fake.chooseInlineResult({ query, resultId: 'two', chatId: GROUP })).toThrow(
      /no result "two"/,
    );
    const chosen = fake.chooseInlineResult({ query, resultId: 'one', chatId: GROUP });
    expect(chosen.update_id).toBeGreaterThan(0);
    expect(chosen.message).toMatchObject({
      from: { id: ANN.id },
      chat: { id: GROUP },
      text: 'Hi there',
      via_bot: { id: fake.botUser.id, is_bot: true },
    });
    expect(fake.lastMessage(GROUP)?.via_bot?.id).toBe(fake.botUser.id);
  });
});
