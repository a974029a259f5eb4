import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeTelegram, startFakeTelegram } from './fake-telegram/index.ts';
import { databaseKind } from './support/database.ts';
import { storedMediaOf } from './support/stored-media.ts';
import { agentsStartTheBot, fakeSupportGroup } from './support/support-group.ts';
import { startTelegramProxy, type TelegramProxy } from './support/telegram-proxy.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { eventually, newVisitor, type Visitor } from './support/visitor.ts';

const GROUP = -1001234567890;
/** The bot is removed from this group before it can answer: its sends there get 403. */
const KICKED = -1002000000001;
/** The bot is a member but may not write (the proxy answers 400 "have no rights to send a message"). */
const MUTED = -1002000000002;
/** Another group, where the bot may write. */
const SPARE = -1002000000003;
const ALICE = { id: 1001, first_name: 'Alice', username: 'alice' };
const EVE = { id: 1003, first_name: 'Eve', username: 'eve' };
const WEBHOOK_SECRET = 'webhook-secret-0123456789';
const PHOTO = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

type Sent = { message_id: number; text?: string };

/** How the bot handles Telegram updates: once, without stalling on refusals, answering every button. */
describe.each(['polling', 'webhook'] as const)(`Telegram updates (%s, ${databaseKind})`, (mode) => {
  let fake: FakeTelegram;
  let proxy: TelegramProxy;
  let app: TestApp;
  let visitor: Visitor;
  let ticketId: number;

  const botSaid = (chatId: number, pattern: RegExp) =>
    fake.waitFor(() => fake.sentTo(chatId).find((m: Sent) => pattern.test(m.text ?? '')), {
      timeoutMs: 15_000,
    });
  const agentBodies = async () => (await visitor.messages('agent')).map((m) => m.body);
  const handledAt = async (updateId: number) => {
    const rows = await app.orm.em
      .getConnection()
      .execute<{ processed_at: Date | null }[]>(
        'select processed_at from processed_telegram_updates where update_id = ?',
        [updateId],
      );
    return rows[0]?.processed_at ?? null;
  };
  const answered = (update: { callback_query?: { id: string } }) =>
    fake.waitFor(() =>
      fake
        .callbackAnswers()
        .find(
          (answer: { callback_query_id?: unknown }) => answer.callback_query_id === update.callback_query?.id,
        ),
    );

  beforeAll(async () => {
    fake = await startFakeTelegram({ webhookRetryDelayMs: 200 });
    proxy = await startTelegramProxy(fake.apiRoot);
    const telegramEnv = fakeSupportGroup(fake, GROUP, [ALICE]);
    fake.addUser(EVE);
    for (const group of [KICKED, MUTED, SPARE]) {
      fake.addGroup({ id: group, title: `Group ${group}` });
      fake.setChatMember(group, EVE.id, 'creator');
    }
    app = await startTestApp({
      ...telegramEnv,
      TELEGRAM_API_ROOT: proxy.apiRoot,
      BOT_MODE: mode,
      WEBHOOK_SECRET,
      AFTER_HOURS_MINUTES: '600',
      RATE_LIMIT_MESSAGES: '100',
    });
    if (mode === 'webhook') await app.telegram?.setWebhook(`${app.url}/api/telegram/webhook`);
    await agentsStartTheBot(fake, [ALICE]);

    // One ticket, claimed by Alice: her DM messages go to this visitor.
    visitor = await newVisitor(app.url);
    ticketId = (await visitor.say('Hello, I need help')).ticket.id;
    const card = (await fake.waitFor(
      () => fake.sentTo(GROUP).find((m: Sent) => m.text?.includes(`#${ticketId}`)),
      {
        timeoutMs: 15_000,
      },
    )) as Sent;
    fake.clickButton({ from: ALICE.id, chatId: GROUP, messageId: card.message_id, text: '✅ Claim' });
    await botSaid(ALICE.id, new RegExp(`connected to (<b>)?#${ticketId}`));
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await proxy?.close();
    await fake?.close();
  });

  it('a Telegram refusal inside a handler completes the update; the updates after it are not held up', async () => {
    proxy.refuse('sendMessage', MUTED, 400, 'Bad Request: have no rights to send a message');
    // Both groups answer /setup ("fixed by the configuration"), and Telegram refuses both answers.
    const kicked = fake.sendText({ from: EVE.id, chatId: KICKED, text: '/setup' });
    fake.setChatMember(KICKED, fake.botUser.id, 'kicked'); // before the bot answers
    const muted = fake.sendText({ from: EVE.id, chatId: MUTED, text: '/setup' });
    fake.sendText({ from: ALICE.id, text: 'Still here for you' });

    await eventually(async () => (await agentBodies()).includes('Still here for you'), 15_000);
    await eventually(async () => (await handledAt(kicked.update_id)) && (await handledAt(muted.update_id)));
    expect(
      fake.calls.some(
        (call) =>
          call.method === 'sendMessage' && Number(call.params.chat_id) === KICKED && call.status === 403,
      ),
    ).toBe(true);
    expect(proxy.refused).toContain(`sendmessage ${MUTED}`);
    if (mode === 'webhook') {
      // Answered 200 at the first attempt: Telegram has nothing to retry.
      for (const update of [kicked, muted]) {
        const attempts = fake.webhookDeliveries.filter(
          (d: { updateId: number }) => d.updateId === update.update_id,
        );
        expect(attempts.map((d: { status: number }) => d.status)).toEqual([200]);
      }
    }
  });

  it('SUPPORT_GROUP_CHAT_ID fixes the group: /setup with any code cannot move it', async () => {
    fake.sendText({ from: EVE.id, chatId: SPARE, text: '/setup 2222-3333-4444-5555' });
    await botSaid(SPARE, /fixed by the server’s configuration/);
    const other = await newVisitor(app.url);
    const { ticket } = await other.say('Which group gets me?');
    await fake.waitFor(() => fake.sentTo(GROUP).some((m: Sent) => m.text?.includes(`#${ticket.id}`)), {
      timeoutMs: 15_000,
    });
    expect(fake.sentTo(SPARE).map((m: Sent) => m.text)).toHaveLength(1);
  });

  it('unknown, malformed and outdated button data is answered, never left spinning', async () => {
    const card = fake.sentTo(GROUP).find((m: Sent) => m.text?.includes(`#${ticketId}`)) as Sent;
    const inDm = fake.sentTo(ALICE.id).at(-1) as Sent;
    const presses = [
      fake.sendCallbackQuery({ from: ALICE.id, chatId: GROUP, messageId: card.message_id, data: 'nonsense' }),
      fake.sendCallbackQuery({
        from: ALICE.id,
        chatId: GROUP,
        messageId: card.message_id,
        data: 'claim:abc',
      }),
      fake.sendCallbackQuery({
        from: ALICE.id,
        chatId: GROUP,
        messageId: card.message_id,
        data: 'pass:99999999999',
      }),
      fake.sendCallbackQuery({
        from: ALICE.id,
        chatId: ALICE.id,
        messageId: inDm.message_id,
        data: 'nonsense',
      }),
      fake.sendCallbackQuery({
        from: ALICE.id,
        chatId: ALICE.id,
        messageId: inDm.message_id,
        data: 'close-note:skip', // a close prompt that is no longer open
      }),
      fake.sendCallbackQuery({
        from: ALICE.id,
        chatId: ALICE.id,
        messageId: inDm.message_id,
        data: 'close:Infinity',
      }),
    ];
    for (const press of presses) {
      expect((await answered(press)).text).toBe('This button is no longer active.');
    }
    expect((await visitor.conversation()).ticket?.status).toBe('claimed');
  });

  it('/close with a bad ticket number gets a hint, never an exception', async () => {
    for (const argument of ['Infinity', 'abc', '-1', '1.5', '1e3', '99999999999', '0x1F']) {
      fake.sendText({ from: ALICE.id, text: `/close ${argument}` });
      await botSaid(ALICE.id, new RegExp(`“${argument.replace('.', '\\.')}” is not a ticket number`));
    }
    fake.sendText({ from: ALICE.id, text: '/close 999999' });
    await botSaid(ALICE.id, /Ticket not found/);
    // The commands did not touch the ticket; a plain /close still asks about the active one.
    fake.sendText({ from: ALICE.id, text: '/close' });
    const prompt = (await botSaid(ALICE.id, new RegExp(`Closing #${ticketId}\\.`))) as Sent;
    fake.clickButton({ from: ALICE.id, chatId: ALICE.id, messageId: prompt.message_id, text: 'Cancel' });
    await botSaid(ALICE.id, new RegExp(`#${ticketId} stays open`));
    expect((await visitor.conversation()).ticket?.status).toBe('claimed');
  });

  it('a redelivered agent reply whose handling was cut off after it was stored adds nothing, leaves no file', async () => {
    const update = fake.sendPhoto({ from: ALICE.id, bytes: PHOTO, caption: 'Cut off after storing' });
    await eventually(async () => handledAt(update.update_id));
    // Telegram has it as delivered (webhook answered, or polling confirmed), so it can send it again.
    await fake.waitFor(() => fake.pendingUpdateCount() === 0);
    // As if the process died after the message committed but before the update was recorded as handled.
    await app.orm.em
      .getConnection()
      .execute('delete from processed_telegram_updates where update_id = ?', [update.update_id]);
    fake.redeliver(update.update_id);
    await eventually(async () => handledAt(update.update_id), 15_000);

    expect((await agentBodies()).filter((body) => body === 'Cut off after storing')).toHaveLength(1);
    // The update is recorded by the statement that found the message stored; the file this handling
    // downloaded again is discarded right after, so it may still be there for a moment.
    const withMedia = (await visitor.messages('agent')).filter((m) => m.media_url);
    await eventually(async () => (await storedMediaOf(app, visitor.sessionId)).length === withMedia.length);
  });

  it('an update that fails for a passing reason (a file download) is handled again, once', async () => {
    fake.fail({ status: 502, methods: ['download'], count: 1 });
    fake.sendPhoto({ from: ALICE.id, bytes: PHOTO, caption: 'After a failed download' });
    await eventually(async () => (await agentBodies()).includes('After a failed download'), 20_000);
    fake.sendText({ from: ALICE.id, text: 'And one more' });
    await eventually(async () => (await agentBodies()).includes('And one more'), 15_000);
    expect((await agentBodies()).filter((body) => body === 'After a failed download')).toHaveLength(1);
    expect(fake.calls.some((call) => call.method === 'download' && call.status === 502)).toBe(true);
  });

  if (mode === 'webhook') {
    it('the webhook accepts an update over 64 KB', async () => {
      // A message full of links: 4,000 characters of text, but 150 KB of JSON with its entities.
      const text = 'link '.repeat(800).trim();
      const entities = Array.from({ length: 800 }, (_, i) => ({
        type: 'text_link',
        offset: i * 5,
        length: 4,
        url: `https://example.com/${'x'.repeat(140)}/${i}`,
      }));
      const update = fake.injectUpdate({
        message: {
          message_id: 900_001,
          date: Math.floor(Date.now() / 1000),
          chat: { id: ALICE.id, type: 'private', first_name: ALICE.first_name },
          from: { id: ALICE.id, is_bot: false, first_name: ALICE.first_name },
          text,
          entities,
        },
      } as never);
      expect(JSON.stringify(update).length).toBeGreaterThan(64 * 1024);
      await eventually(async () => (await agentBodies()).includes(text), 15_000);
      const attempts = fake.webhookDeliveries.filter(
        (d: { updateId: number }) => d.updateId === update.update_id,
      );
      expect(attempts.map((d: { status: number }) => d.status)).toEqual([200]);
    });
  }

  // Last: it changes Alice's active ticket.
  it('a redelivered close note, cut off after the ticket closed, never reaches the agent’s active ticket', async () => {
    const claim = async (who: Visitor) => {
      const { ticket } = await who.say(`Question from ${who.sessionId}`);
      const card = (await fake.waitFor(
        () => fake.sentTo(GROUP).find((m: Sent) => new RegExp(`#${ticket.id}\\b`).test(m.text ?? '')),
        { timeoutMs: 15_000 },
      )) as Sent;
      fake.clickButton({ from: ALICE.id, chatId: GROUP, messageId: card.message_id, text: '✅ Claim' });
      await botSaid(ALICE.id, new RegExp(`connected to (<b>)?#${ticket.id}\\b`));
      return ticket.id;
    };
    const first = await newVisitor(app.url);
    const firstTicket = await claim(first);
    const active = await newVisitor(app.url);
    await claim(active); // now Alice's active ticket

    fake.sendText({ from: ALICE.id, text: `/close ${firstTicket}` });
    await botSaid(ALICE.id, new RegExp(`Closing #${firstTicket}\\.`));
    const note = fake.sendText({ from: ALICE.id, text: 'Glad we sorted it out, goodbye' });
    await botSaid(ALICE.id, new RegExp(`#${firstTicket} is closed\\. Your note was sent`));
    await eventually(async () => handledAt(note.update_id));
    await fake.waitFor(() => fake.pendingUpdateCount() === 0);

    // As if the process died after the close committed but before the update was recorded as handled.
    await app.orm.em
      .getConnection()
      .execute('delete from processed_telegram_updates where update_id = ?', [note.update_id]);
    fake.redeliver(note.update_id);
    await eventually(async () => handledAt(note.update_id), 15_000);

    const bodies = async (who: Visitor) => (await who.messages('agent')).map((m) => m.body);
    expect(await bodies(active)).not.toContain('Glad we sorted it out, goodbye');
    expect((await bodies(first)).filter((body) => body === 'Glad we sorted it out, goodbye')).toHaveLength(1);
    expect((await first.conversation()).ticket?.status).toBe('closed');
    expect((await active.conversation()).ticket?.status).toBe('claimed');
  });
});
