import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Bot, GrammyError, InputFile } from 'grammy';
import type { Message, Update } from 'grammy/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeTelegram, startFakeTelegram } from './fake-telegram/index.ts';

const ANN = { id: 1001, first_name: 'Ann', username: 'ann' };
const GROUP = -1001234567890;

let fake: FakeTelegram;
let bot: Bot;

beforeEach(async () => {
  fake = await startFakeTelegram();
  fake.addUser(ANN);
  fake.addGroup({ id: GROUP, title: 'Support team' });
  bot = new Bot(fake.token, { client: { apiRoot: fake.apiRoot } });
});
afterEach(() => fake.close());

/** A raw Bot API call with fetch: `{ status, body }`. */
async function call(method: string, params: Record<string, unknown> = {}, token = fake.token) {
  const response = await fetch(`${fake.apiRoot}/bot${token}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params),
  });
  // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field.
  return { status: response.status, body: (await response.json()) as any };
}

/** The Bot API error a grammY call fails with. */
async function apiError(promise: Promise<unknown>): Promise<GrammyError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof GrammyError)) throw new Error(`expected a GrammyError, got ${String(error)}`);
  return error;
}

describe('the Bot API surface', () => {
  it('getMe answers the bot user; a wrong token is 401, an unknown method 404', async () => {
    const me = await bot.api.getMe();
    expect(me).toMatchObject({
      id: 123456,
      is_bot: true,
      first_name: 'Switchboard',
      username: 'switchboard_test_bot',
    });
    expect(await call('getMe', {}, '123456:wrong')).toEqual({
      status: 401,
      body: { ok: false, error_code: 401, description: 'Unauthorized' },
    });
    expect(await call('sendTelepathy')).toEqual({
      status: 404,
      body: { ok: false, error_code: 404, description: 'Not Found: method not found' },
    });
    expect(fake.callsOf('getMe')[0]).toMatchObject({ status: 200, ok: true });
  });

  it('accepts urlencoded and query-string params', async () => {
    const form = await fetch(`${fake.apiRoot}/bot${fake.token}/sendMessage`, {
      method: 'POST',
      body: new URLSearchParams({ chat_id: String(ANN.id), text: 'from a form' }),
    });
    expect((await form.json()).result.text).toBe('from a form');
    const query = await fetch(
      `${fake.apiRoot}/bot${fake.token}/sendMessage?chat_id=${ANN.id}&text=from+a+query`,
    );
    expect((await query.json()).result.text).toBe('from a query');
    expect(fake.callsOf('sendMessage').map((c) => c.params.chat_id)).toEqual([ANN.id, ANN.id]);
  });
});

describe('getUpdates', () => {
  it('a long poll waits for an injected update and returns it at once', async () => {
    const started = Date.now();
    const poll = call('getUpdates', { timeout: 10 });
    await fake.waitFor(() => fake.isPolling());
    const update = fake.sendText({ from: ANN.id, text: '/start' });
    const { body } = await poll;
    expect(Date.now() - started).toBeLessThan(5000);
    expect(body.result).toEqual([update]);
    expect(update.message?.entities).toEqual([{ type: 'bot_command', offset: 0, length: 6 }]);
    expect(update.message?.chat).toEqual({ id: ANN.id, type: 'private', first_name: 'Ann', username: 'ann' });
  });

  it('a long poll without updates answers [] after its timeout', async () => {
    expect((await call('getUpdates', { timeout: 1 })).body).toEqual({ ok: true, result: [] });
  });

  it('offset confirms earlier updates; redeliver hands one out again with the same id', async () => {
    const first = fake.sendText({ from: ANN.id, text: 'one' });
    const second = fake.sendText({ from: ANN.id, text: 'two' });
    const ids = (updates: Update[]) => updates.map((u) => u.update_id);
    expect(ids((await call('getUpdates')).body.result)).toEqual([first.update_id, second.update_id]);
    expect(ids((await call('getUpdates', { offset: second.update_id })).body.result)).toEqual([
      second.update_id,
    ]);
    expect((await call('getUpdates', { offset: second.update_id + 1 })).body.result).toEqual([]);
    fake.redeliver(first.update_id);
    expect(ids((await call('getUpdates', { offset: second.update_id + 1 })).body.result)).toEqual([
      first.update_id,
    ]);
    expect((await call('getUpdates', { offset: first.update_id + 1 })).body.result).toEqual([]);
  });

  it('a second getUpdates ends a waiting one with 409', async () => {
    const waiting = call('getUpdates', { timeout: 10 });
    await fake.waitFor(() => fake.isPolling());
    await call('getUpdates');
    expect((await waiting).body).toMatchObject({ ok: false, error_code: 409 });
  });
});

describe('webhooks', () => {
  it('POSTs updates with the secret header, retries after a 500, runs a webhook reply, blocks getUpdates', async () => {
    const received: { headers: IncomingHttpHeaders; update: Update }[] = [];
    const receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        received.push({ headers: request.headers, update: JSON.parse(body) });
        if (received.length === 1) response.writeHead(500).end();
        else
          response.end(JSON.stringify({ method: 'sendMessage', chat_id: ANN.id, text: 'a webhook reply' }));
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    try {
      await bot.api.setWebhook(url, { secret_token: 'the-secret_1' });
      const update = fake.sendText({ from: ANN.id, text: 'hello' });
      await fake.waitFor(() => fake.webhookDeliveries.length >= 2);
      expect(received.map((r) => r.update)).toEqual([update, update]);
      expect(received[0]?.headers['x-telegram-bot-api-secret-token']).toBe('the-secret_1');
      expect(fake.webhookDeliveries.map((d) => [d.url, d.updateId, d.status])).toEqual([
        [url, update.update_id, 500],
        [url, update.update_id, 200],
      ]);
      const reply = await fake.waitFor(() => fake.callsOf('sendMessage')[0]);
      expect(reply).toMatchObject({ ok: true, viaWebhookReply: true, result: { text: 'a webhook reply' } });
      const conflict = await apiError(bot.api.getUpdates());
      expect(conflict.error_code).toBe(409);
      expect(conflict.description).toContain("can't use getUpdates method while webhook is active");
      const info = await bot.api.getWebhookInfo();
      expect(info).toMatchObject({ url, pending_update_count: 0, last_error_message: expect.any(String) });
      await bot.api.deleteWebhook();
      expect((await call('getUpdates')).body).toEqual({ ok: true, result: [] });
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });
});

describe('messages', () => {
  it('sendMessage stores a real Message; edits update it; an identical edit is "not modified"', async () => {
    const keyboard = { inline_keyboard: [[{ text: 'Claim', callback_data: 'claim:1' }]] };
    const sent = await bot.api.sendMessage(GROUP, 'Ticket <b>#1</b>', {
      parse_mode: 'HTML',
      reply_markup: keyboard,
    });
    expect(sent).toMatchObject({
      message_id: 1,
      chat: { id: GROUP, type: 'supergroup', title: 'Support team' },
      from: { id: 123456, is_bot: true },
      text: 'Ticket #1',
      entities: [{ type: 'bold', offset: 7, length: 2 }],
      reply_markup: keyboard,
    });
    expect(fake.sentTo(GROUP)).toEqual([sent]);

    const edited = await bot.api.editMessageText(GROUP, sent.message_id, 'Ticket #1 claimed', {
      reply_markup: keyboard,
    });
    expect((edited as Message).text).toBe('Ticket #1 claimed');
    const notModified = await apiError(
      bot.api.editMessageText(GROUP, sent.message_id, 'Ticket #1 claimed', { reply_markup: keyboard }),
    );
    expect(notModified.error_code).toBe(400);
    expect(notModified.description).toBe(
      'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
    );
    // Without reply_markup Telegram removes the keyboard.
    await bot.api.editMessageText(GROUP, sent.message_id, 'Ticket #1 claimed');
    expect(fake.message(GROUP, sent.message_id)).toMatchObject({
      text: 'Ticket #1 claimed',
      edit_date: expect.any(Number),
    });
    expect(fake.lastMessage(GROUP)?.reply_markup).toBeUndefined();

    const missing = await apiError(bot.api.editMessageText(GROUP, 999, 'x'));
    expect(missing.description).toBe('Bad Request: message to edit not found');
    expect((await apiError(bot.api.sendMessage(ANN.id, '   '))).description).toBe(
      'Bad Request: message text is empty',
    );
    expect((await apiError(bot.api.sendMessage(ANN.id, 'x'.repeat(4097)))).description).toBe(
      'Bad Request: message is too long',
    );
    expect((await apiError(bot.api.sendMessage(424242, 'hi'))).description).toBe(
      'Bad Request: chat not found',
    );
  });

  it('replies carry reply_to_message; user and bot messages share the chat message ids', async () => {
    const asked = fake.sendText({ from: ANN.id, text: 'Where is my order?' });
    const reply = await bot.api.sendMessage(ANN.id, 'On its way', {
      reply_parameters: { message_id: asked.message?.message_id as number },
    });
    expect(reply.message_id).toBe(2);
    expect(reply.reply_to_message).toMatchObject({ message_id: 1, text: 'Where is my order?' });
    const answer = fake.sendText({ from: ANN.id, text: 'thanks', replyTo: reply.message_id });
    expect(answer.message?.reply_to_message).toMatchObject({ message_id: 2, text: 'On its way' });
    expect(fake.messages(ANN.id).map((m) => m.text)).toEqual(['Where is my order?', 'On its way', 'thanks']);
  });

  it('HTML parse mode: escaped visitor text passes, anything unescaped or unknown fails', async () => {
    const escaped = await bot.api.sendMessage(
      ANN.id,
      'a &lt;b&gt; &amp; &quot;c&quot; &#39;d&#x27; <i>e</i>',
      {
        parse_mode: 'HTML',
      },
    );
    expect(escaped.text).toBe('a <b> & "c" \'d\' e');
    const nested = await bot.api.sendMessage(
      ANN.id,
      '<b>bold <i>both</i></b> <a href="https://example.com/?a=1&amp;b=2">link</a> <span class="tg-spoiler">s</span> <pre><code class="language-ts">x</code></pre> <blockquote expandable>q</blockquote>',
      { parse_mode: 'HTML' },
    );
    expect(nested.entities).toEqual([
      { type: 'bold', offset: 0, length: 9 },
      { type: 'italic', offset: 5, length: 4 },
      { type: 'text_link', offset: 10, length: 4, url: 'https://example.com/?a=1&b=2' },
      { type: 'spoiler', offset: 15, length: 1 },
      { type: 'pre', offset: 17, length: 1, language: 'ts' },
      { type: 'expandable_blockquote', offset: 19, length: 1 },
    ]);
    for (const bad of [
      '<b>unclosed',
      '<script>alert(1)</script>',
      '1 < 2',
      'a & b',
      '2 > 1',
      '<b>x</i>',
      'x</b>',
    ]) {
      const error = await apiError(bot.api.sendMessage(ANN.id, bad, { parse_mode: 'HTML' }));
      expect(error.description, bad).toMatch(/^Bad Request: can't parse entities: /);
    }
    // Without parse_mode the same text is fine and stored verbatim.
    expect((await bot.api.sendMessage(ANN.id, '1 < 2 & <script>')).text).toBe('1 < 2 & <script>');
    expect(fake.callsOf('sendMessage').filter((c) => c.status === 400)).toHaveLength(7);
  });

  it('lengths count as Telegram counts them: UTF-16 code units of the text after parsing', async () => {
    const html = { parse_mode: 'HTML' } as const;
    // 4,096 code units of text once parsed: escapes count 1 and tags 0, however long the markup is.
    const atLimit = await bot.api.sendMessage(
      ANN.id,
      `<b>${'&amp;'.repeat(2048)}</b>${'😀'.repeat(1024)}`,
      html,
    );
    expect(atLimit.text?.length).toBe(4096);
    expect((await apiError(bot.api.sendMessage(ANN.id, '😀'.repeat(2049)))).description).toBe(
      'Bad Request: message is too long',
    );
    const bytes = Buffer.from('89504e470d0a1a0a0000000d4948445200000280000001e008020000', 'hex');
    const photo = () => new InputFile(bytes, 'shot.png');
    const captioned = await bot.api.sendPhoto(ANN.id, photo(), { caption: '😀'.repeat(512) });
    expect(captioned.caption?.length).toBe(1024);
    const tooLong = await apiError(bot.api.sendPhoto(ANN.id, photo(), { caption: '😀'.repeat(600) }));
    expect([tooLong.error_code, tooLong.description]).toEqual([
      400,
      'Bad Request: message caption is too long',
    ]);
  });

  it('callback data over 64 bytes is BUTTON_DATA_INVALID; Web App buttons need https', async () => {
    const tooLong = { inline_keyboard: [[{ text: 'x', callback_data: 'é'.repeat(33) }]] };
    expect((await apiError(bot.api.sendMessage(ANN.id, 'x', { reply_markup: tooLong }))).description).toBe(
      'Bad Request: BUTTON_DATA_INVALID',
    );
    const webApp = { inline_keyboard: [[{ text: 'Queue', web_app: { url: 'http://127.0.0.1/miniapp/' } }]] };
    const error = await apiError(bot.api.sendMessage(ANN.id, 'x', { reply_markup: webApp }));
    expect(error.description).toContain('Only HTTPS links are allowed');
    expect(fake.messages(ANN.id)).toEqual([]);
  });
});

describe('buttons', () => {
  it('clickButton injects a callback_query that can be answered once', async () => {
    const sent = await bot.api.sendMessage(GROUP, 'New ticket', {
      reply_markup: {
        inline_keyboard: [
          [
            { text: 'Claim', callback_data: 'claim:7' },
            { text: 'Pass', callback_data: 'pass:7' },
          ],
        ],
      },
    });
    const update = fake.clickButton({
      from: ANN.id,
      chatId: GROUP,
      messageId: sent.message_id,
      text: 'Pass',
    });
    const query = update.callback_query;
    expect(query).toMatchObject({
      from: { id: ANN.id },
      data: 'pass:7',
      message: { message_id: sent.message_id },
    });
    expect((await call('getUpdates')).body.result).toEqual([update]);
    await bot.api.answerCallbackQuery(query?.id as string, { text: 'Passed' });
    expect(fake.callbackAnswers()).toEqual([{ callback_query_id: query?.id, text: 'Passed' }]);
    const again = await apiError(bot.api.answerCallbackQuery(query?.id as string));
    expect(again.description).toBe(
      'Bad Request: query is too old and response timeout expired or query ID is invalid',
    );
    expect(() =>
      fake.clickButton({ from: ANN.id, chatId: GROUP, messageId: sent.message_id, text: 'Nope' }),
    ).toThrow(/no inline button "Nope".*"Claim", "Pass"/);
  });
});

describe('files', () => {
  it('sendPhoto uploads multipart; getFile and the file URL give the same bytes back', async () => {
    const bytes = Buffer.from('89504e470d0a1a0a0000000d4948445200000280000001e008020000', 'hex');
    const sent = await bot.api.sendPhoto(ANN.id, new InputFile(bytes, 'shot.png'), {
      caption: '<b>look</b>',
      parse_mode: 'HTML',
    });
    expect(sent.caption).toBe('look');
    const photo = sent.photo?.at(-1);
    expect(photo).toMatchObject({ width: 640, height: 480, file_size: bytes.length });
    expect(fake.callsOf('sendPhoto')[0]?.params.photo).toEqual({
      fileName: 'shot.png',
      mimeType: 'application/octet-stream',
      size: bytes.length,
    });
    const file = await bot.api.getFile(photo?.file_id as string);
    const download = await fetch(`${fake.apiRoot}/file/bot${fake.token}/${file.file_path}`);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(bytes);

    const again = await bot.api.sendDocument(GROUP, sent.photo?.[0]?.file_id as string);
    expect(again.document?.file_id).toBe(photo?.file_id);
    const invoice = await bot.api.sendDocument(ANN.id, new InputFile(Buffer.from('%PDF-1.4'), 'invoice.pdf'));
    expect(invoice.document).toMatchObject({
      file_name: 'invoice.pdf',
      mime_type: 'application/pdf',
      file_size: 8,
    });
  });

  it('a photo and a document from a user can be downloaded by the bot', async () => {
    const bytes = Buffer.from('any image bytes');
    const photo = fake.sendPhoto({ from: ANN.id, caption: 'screenshot', bytes }).message?.photo?.at(-1);
    const file = await bot.api.getFile(photo?.file_id as string);
    expect(file.file_size).toBe(bytes.length);
    const download = await fetch(`${fake.apiRoot}/file/bot${fake.token}/${file.file_path}`);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(bytes);

    const document = fake.sendDocument({
      from: ANN.id,
      bytes: Buffer.from('a,b'),
      fileName: 'data.csv',
      mimeType: 'text/csv',
    }).message?.document;
    expect(document).toMatchObject({ file_name: 'data.csv', mime_type: 'text/csv', file_size: 3 });
    expect(fake.fileBytes(document?.file_id as string)?.toString()).toBe('a,b');
    expect((await apiError(bot.api.getFile('nope'))).description).toBe('Bad Request: invalid file_id');
  });
});

describe('limits and faults', () => {
  it('enforceLimits: a second message in a second to one chat (private or group) gets 429 with retry_after', async () => {
    fake.enforceLimits(true);
    await bot.api.sendMessage(ANN.id, 'first');
    const limited = await apiError(bot.api.sendMessage(ANN.id, 'second'));
    expect(limited.error_code).toBe(429);
    expect(limited.description).toBe('Too Many Requests: retry after 1');
    expect(limited.parameters.retry_after).toBe(1);
    expect(fake.rateLimitedCount()).toBe(1);
    expect(fake.calls.at(-1)).toMatchObject({ method: 'sendMessage', status: 429, retryAfter: 1 });
    await bot.api.sendMessage(GROUP, 'another chat is fine');
    // A group too takes one message a second (the Bot FAQ's rule is per chat)…
    const sameSecond = await apiError(bot.api.sendMessage(GROUP, 'again in the same second'));
    expect([sameSecond.error_code, sameSecond.parameters.retry_after]).toEqual([429, 1]);

    // …and 20 a minute: with the per-second rule lifted, the minute's limit alone refuses the third.
    fake.enforceLimits({ perGroupPerMinute: 2, perChatPerSecond: 100 });
    await bot.api.sendMessage(GROUP, 'second in the group');
    const group = await apiError(bot.api.sendMessage(GROUP, 'third in the group'));
    expect(group.parameters.retry_after).toBeGreaterThan(50);
    expect(fake.messages(GROUP).map((m) => m.text)).toEqual(['another chat is fine', 'second in the group']);
  });

  it('fail({ count }) fails the next calls without storing anything, then works again', async () => {
    fake.fail({ count: 2 });
    for (const text of ['a', 'b']) {
      const error = await apiError(bot.api.sendMessage(ANN.id, text));
      expect([error.error_code, error.description]).toEqual([502, 'Bad Gateway']);
    }
    expect(fake.messages(ANN.id)).toEqual([]);
    await bot.api.getMe(); // not a sending method: unaffected
    expect((await bot.api.sendMessage(ANN.id, 'c')).text).toBe('c');
    expect(fake.callsOf('sendMessage').map((c) => c.status)).toEqual([502, 502, 200]);
  });

  it("refuse() refuses the chosen calls for good with Telegram's description, storing nothing", async () => {
    fake.refuse({
      methods: ['sendMessage'],
      count: 1,
      status: 403,
      description: 'Forbidden: bot was blocked by the user',
      when: (params) => String(params.text).includes('secret'),
    });
    expect((await bot.api.sendMessage(ANN.id, 'harmless')).text).toBe('harmless');
    const refused = await apiError(bot.api.sendMessage(ANN.id, 'the secret'));
    expect([refused.error_code, refused.description]).toEqual([
      403,
      'Forbidden: bot was blocked by the user',
    ]);
    expect((await bot.api.sendMessage(ANN.id, 'the secret, again')).text).toBe('the secret, again');

    fake.refuse({ methods: ['sendPhoto'], status: 400, description: 'Bad Request: IMAGE_PROCESS_FAILED' });
    const photo = new InputFile(Buffer.from('89504e47', 'hex'), 'x.png');
    expect((await apiError(bot.api.sendPhoto(ANN.id, photo))).description).toBe(
      'Bad Request: IMAGE_PROCESS_FAILED',
    );
    expect(fake.messages(ANN.id).map((m) => m.text)).toEqual(['harmless', 'the secret, again']);
    expect(fake.callsOf('sendMessage').map((c) => c.status)).toEqual([200, 403, 200]);
  });

  it('hang() gives no answer: the client times out and nothing is stored', async () => {
    fake.hang({ methods: ['sendMessage'], count: 1 });
    const lost = fetch(`${fake.apiRoot}/bot${fake.token}/sendMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ chat_id: ANN.id, text: 'lost' }),
      signal: AbortSignal.timeout(300),
    });
    await expect(lost).rejects.toThrow();
    const recorded = await fake.waitFor(() => fake.callsOf('sendMessage')[0]);
    expect(recorded).toMatchObject({ status: 0, ok: false });
    expect(fake.messages(ANN.id)).toEqual([]);
    expect((await bot.api.sendMessage(ANN.id, 'after')).text).toBe('after');

    fake.hang({ methods: 'all', untilMs: Date.now() + 600 });
    await expect(call('getMe')).rejects.toThrow(); // dropped when the fault ends
  });
});

describe('groups', () => {
  it('getChatMember reports statuses; privacy mode hides plain group chatter from the bot', async () => {
    fake.setChatMember(GROUP, ANN.id, 'administrator');
    expect(await bot.api.getChatMember(GROUP, ANN.id)).toMatchObject({
      status: 'administrator',
      user: { id: ANN.id },
    });
    expect((await bot.api.getChatMember(GROUP, 4242)).status).toBe('left');
    expect((await bot.api.getChatAdministrators(GROUP)).map((m) => m.user.id)).toEqual([ANN.id]);

    expect(fake.sendText({ from: ANN.id, chatId: GROUP, text: 'just chatting' }).update_id).toBe(0);
    const command = fake.sendText({ from: ANN.id, chatId: GROUP, text: '/setup@switchboard_test_bot' });
    expect(command.message?.entities?.[0]).toEqual({ type: 'bot_command', offset: 0, length: 27 });
    const added = fake.botAddedToGroup({ groupId: GROUP, by: ANN.id, status: 'administrator' });
    const updates: Update[] = (await call('getUpdates')).body.result;
    expect(updates).toEqual([command, added]);
    expect(fake.messages(GROUP).map((m) => m.text)).toEqual(['just chatting', '/setup@switchboard_test_bot']);

    fake.setChatMember(GROUP, fake.botUser.id, 'kicked');
    expect((await apiError(bot.api.sendMessage(GROUP, 'hi'))).error_code).toBe(403);
  });
});

describe('a grammY bot against the fake', () => {
  it('long-polls, receives a command and replies', async () => {
    bot.command('start', (ctx) => ctx.reply(`Hello, ${ctx.from?.first_name}!`));
    let running!: () => void;
    const started = new Promise<void>((resolve) => {
      running = resolve;
    });
    const stopped = bot.start({ onStart: () => running() });
    await started;
    fake.sendText({ from: ANN.id, text: '/start' });
    const reply = await fake.waitFor(() => fake.sentTo(ANN.id)[0]);
    expect(reply.text).toBe('Hello, Ann!');
    await bot.stop();
    await stopped;
    expect(fake.callsOf('deleteWebhook')).toHaveLength(1);
  });
});
