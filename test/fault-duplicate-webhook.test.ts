import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInProcessEventBus } from '../core/event-bus.ts';
import type { Outbox } from '../core/outbox.ts';
import { createServices } from '../core/services.ts';
import { type FakeTelegram, startFakeTelegram } from './fake-telegram/index.ts';
import { databaseKind } from './support/database.ts';
import { openSse } from './support/sse.ts';
import { agentsStartTheBot, fakeSupportGroup } from './support/support-group.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { eventually, newVisitor } from './support/visitor.ts';

const GROUP = -1001234567890;
const ALICE = { id: 1001, first_name: 'Alice', username: 'alice' };
const BOB = { id: 1002, first_name: 'Bob', username: 'bob' };
const WEBHOOK_SECRET = 'webhook-secret-0123456789';

type Sent = { message_id: number; text?: string };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Telegram delivers an update more than once (a lost answer, a retry racing the first attempt). */
describe(`duplicate webhook deliveries (${databaseKind})`, () => {
  let fake: FakeTelegram;
  let app: TestApp;

  const cardOf = (ticketId: number) =>
    fake.sentTo(GROUP).find((m: Sent) => m.text?.split('\n')[0]?.match(new RegExp(`#${ticketId}\\b`)));
  /** POSTs an update to the webhook `times` times at once, as racing redeliveries would. */
  const deliverConcurrently = (update: unknown, times: number) =>
    Promise.all(
      Array.from({ length: times }, () =>
        fetch(`${app.url}/api/telegram/webhook`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': WEBHOOK_SECRET },
          body: JSON.stringify(update),
        }).then(async (response) => {
          await response.arrayBuffer();
          return response.status;
        }),
      ),
    );

  const acceptedByWebhook = (updateId: number) =>
    fake.webhookDeliveries.filter(
      (d: { updateId: number; status: number }) => d.updateId === updateId && d.status === 200,
    ).length;
  const hammer = async (updateId: number, update: unknown) => {
    await fake.waitFor(() => acceptedByWebhook(updateId) >= 1, { timeoutMs: 15_000 });
    expect(await deliverConcurrently(update, 5)).toEqual([200, 200, 200, 200, 200]);
    fake.redeliver(updateId);
    await fake.waitFor(() => acceptedByWebhook(updateId) >= 2, { timeoutMs: 15_000 });
  };

  beforeAll(async () => {
    fake = await startFakeTelegram();
    const telegramEnv = fakeSupportGroup(fake, GROUP, [ALICE, BOB]);
    app = await startTestApp({
      ...telegramEnv,
      BOT_MODE: 'webhook',
      WEBHOOK_SECRET,
      AFTER_HOURS_MINUTES: '600',
    });
    await app.telegram?.setWebhook(`${app.url}/api/telegram/webhook`);
    await agentsStartTheBot(fake, [ALICE, BOB]);
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await fake?.close();
  });

  it('a claim and an agent reply, each delivered seven times (five of them at once), are handled once', async () => {
    const visitor = await newVisitor(app.url);
    const { ticket } = await visitor.say('Please answer me once');
    const card = (await fake.waitFor(() => cardOf(ticket.id), { timeoutMs: 15_000 })) as Sent;

    // Each update: delivered by Telegram, then five copies at once, then redelivered by Telegram again.
    const click = fake.clickButton({
      from: ALICE.id,
      chatId: GROUP,
      messageId: card.message_id,
      text: '✅ Claim',
    });
    await hammer(click.update_id, click);
    await eventually(async () => (await visitor.conversation()).ticket?.agent_name === 'Alice');
    const reply = fake.sendText({ from: ALICE.id, text: 'One answer, exactly once' });
    await hammer(reply.update_id, reply);
    await sleep(500); // room for a late duplicate

    const messages = await visitor.messages();
    expect(messages.filter((m) => m.body === 'One answer, exactly once')).toHaveLength(1);
    expect(messages.filter((m) => m.sender === 'system' && /joined/.test(m.body))).toHaveLength(1);
    const connected = fake
      .sentTo(ALICE.id)
      .filter((m: Sent) => m.text?.includes(`connected to #${ticket.id}`));
    expect(connected).toHaveLength(1);
    const claimAnswers = fake
      .callbackAnswers()
      .filter((a: { text?: string }) => a.text?.includes('is yours'));
    expect(claimAnswers).toHaveLength(1);
  });

  it('an agent reply stored by an instance that died before publishing it reaches the visitor when Telegram redelivers its update', async () => {
    const visitor = await newVisitor(app.url);
    const { ticket } = await visitor.say('Are you there?');
    const card = (await fake.waitFor(() => cardOf(ticket.id), { timeoutMs: 15_000 })) as Sent;
    fake.clickButton({ from: BOB.id, chatId: GROUP, messageId: card.message_id, text: '✅ Claim' });
    await eventually(async () => (await visitor.conversation()).ticket?.agent_name === 'Bob');
    const stream = await openSse(`${app.url}/api/session/${visitor.sessionId}/events`, {
      authorization: `Bearer ${visitor.token}`,
    });

    // The instance that handled Bob's message stored it (and recorded its update as handled), then died
    // before it published: here, services whose event bus nobody hears.
    const update = {
      update_id: 900_001,
      message: {
        message_id: 900_001,
        date: Math.floor(Date.now() / 1000),
        chat: { id: BOB.id, type: 'private', first_name: BOB.first_name, username: BOB.username },
        from: { ...BOB, is_bot: false },
        text: 'Yes, I am here',
      },
    };
    const [agent] = await app.orm.em
      .fork()
      .getConnection()
      .execute<{ id: number }[]>('select id from agents where tg_chat_id = ?', [BOB.id]);
    const noOutbox: Outbox = { enqueue: async () => {}, enqueueMany: async () => {} };
    const dead = createServices({ em: app.orm.em, bus: createInProcessEventBus(), outbox: noOutbox });
    await app.inContext(() =>
      dead.messages.sendAgentMessage({
        ticketId: ticket.id,
        agentId: agent?.id as number,
        body: 'Yes, I am here',
        telegram: { chatId: BOB.id, threadId: null, messageId: 900_001 },
        updateId: 900_001,
      }),
    );

    // Telegram got no answer from it, so it delivers the update again, to an instance that is alive.
    expect(await deliverConcurrently(update, 1)).toEqual([200]);
    await stream.waitFor(
      (events) => events.some((e) => (e.data as { body?: string }).body === 'Yes, I am here'),
      15_000,
    );
    await stream.close();
    expect((await visitor.messages()).filter((m) => m.body === 'Yes, I am here')).toHaveLength(1);
  });
});
