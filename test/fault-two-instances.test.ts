import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeTelegram, startFakeTelegram } from './fake-telegram/index.ts';
import { createTestDatabase, databaseKind } from './support/database.ts';
import { openSse, type SseEvent } from './support/sse.ts';
import { agentsStartTheBot, fakeSupportGroup } from './support/support-group.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { eventually, newVisitor } from './support/visitor.ts';

const GROUP = -1001234567890;
const ALICE = { id: 1001, first_name: 'Alice', username: 'alice' };
const WEBHOOK_SECRET = 'webhook-secret-0123456789';
const POSTGRES_ONLY =
  'PostgreSQL only: instances share events through LISTEN/NOTIFY, which PGlite (one process) does not have';

type Sent = { message_id: number; text?: string };
const agentMessages = (events: SseEvent[]) =>
  events
    .filter((e) => e.event === 'message' && (e.data as { sender: string }).sender === 'agent')
    .map((e) => (e.data as { body: string }).body);

/**
 * Two server instances on one PostgreSQL database serve one product (issue 6): Telegram's webhook
 * points at instance B, the visitor's event stream is connected to instance A.
 */
describe.skipIf(databaseKind !== 'postgresql')(`two instances on one database (${POSTGRES_ONLY})`, () => {
  let fake: FakeTelegram;
  let a: TestApp;
  let b: TestApp;
  let drop: () => Promise<void>;

  const cardOf = (ticketId: number) =>
    fake.messages(GROUP).find((m: Sent) => m.text?.includes(`#${ticketId}`)) as Sent | undefined;
  const dmTexts = () => fake.sentTo(ALICE.id).map((m: Sent) => m.text ?? '');

  beforeAll(async () => {
    fake = await startFakeTelegram();
    const telegramEnv = fakeSupportGroup(fake, GROUP, [ALICE]);
    const database = await createTestDatabase();
    drop = database.drop;
    const env = {
      ...telegramEnv,
      BOT_MODE: 'webhook',
      WEBHOOK_SECRET,
      AFTER_HOURS_MINUTES: '600',
    };
    a = await startTestApp(env, { database: database.options });
    b = await startTestApp(env, { database: database.options });
    await b.telegram?.setWebhook(`${b.url}/api/telegram/webhook`);
    await agentsStartTheBot(fake, [ALICE]);
  }, 60_000);

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await drop?.();
    await fake?.close();
  });

  it('a webhook update handled by instance B reaches the visitor connected to instance A', async () => {
    const visitor = await newVisitor(a.url);
    const stream = await openSse(`${a.url}/api/session/${visitor.sessionId}/events`, {
      authorization: `Bearer ${visitor.token}`,
    });
    const { ticket } = await visitor.say('Hello from the visitor, via A');
    const card = (await fake.waitFor(() => cardOf(ticket.id), { timeoutMs: 15_000 })) as Sent;

    fake.clickButton({ from: ALICE.id, chatId: GROUP, messageId: card.message_id, text: '✅ Claim' });
    await stream.waitFor(
      (events) =>
        events.some((e) => e.event === 'ticket' && (e.data as { status: string }).status === 'claimed'),
      15_000,
    );

    fake.sendText({ from: ALICE.id, text: 'Hi, Alice here (handled by B)' });
    await stream.waitFor((events) => agentMessages(events).includes('Hi, Alice here (handled by B)'), 15_000);

    // Larger than NOTIFY's 8000-byte limit: 4000 two-byte characters plus the event around them.
    const long = `${'ж'.repeat(3990)} — end`;
    fake.sendText({ from: ALICE.id, text: long });
    await stream.waitFor((events) => agentMessages(events).includes(long), 15_000);

    expect(fake.webhookDeliveries.length).toBeGreaterThan(0);
    expect(fake.webhookDeliveries.every((d: { url: string }) => d.url.startsWith(b.url))).toBe(true);
    expect(agentMessages(stream.events)).toEqual(['Hi, Alice here (handled by B)', long]);
    await stream.close();
  });

  it('a visitor message posted to B reaches the stream on A and the agent, once', async () => {
    const visitor = await newVisitor(a.url);
    const stream = await openSse(`${a.url}/api/session/${visitor.sessionId}/events`, {
      authorization: `Bearer ${visitor.token}`,
    });
    const { ticket } = await visitor.say('first, via A');
    const card = (await fake.waitFor(() => cardOf(ticket.id), { timeoutMs: 15_000 })) as Sent;
    fake.clickButton({ from: ALICE.id, chatId: GROUP, messageId: card.message_id, text: '✅ Claim' });
    await eventually(async () => (await visitor.conversation()).ticket?.status === 'claimed');

    const sent = await fetch(`${b.url}/api/session/${visitor.sessionId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${visitor.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ body: 'second, via B' }),
    });
    expect(sent.status).toBe(201);
    await stream.waitFor(
      (events) =>
        events.some((e) => e.event === 'message' && (e.data as { body: string }).body === 'second, via B'),
      15_000,
    );
    await fake.waitFor(() => dmTexts().some((text: string) => text.endsWith('second, via B')), {
      timeoutMs: 15_000,
    });
    await new Promise((resolve) => setTimeout(resolve, 500)); // room for a duplicate delivery to show up
    expect(dmTexts().filter((text: string) => text.endsWith('second, via B'))).toHaveLength(1);
    await stream.close();
  });
});
