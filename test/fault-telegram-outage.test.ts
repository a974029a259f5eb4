import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeTelegram, startFakeTelegram } from './fake-telegram/index.ts';
import { databaseKind } from './support/database.ts';
import { agentsStartTheBot, fakeSupportGroup } from './support/support-group.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { newVisitor, type Visitor } from './support/visitor.ts';

const GROUP = -1001234567890;
const ALICE = { id: 1001, first_name: 'Alice', username: 'alice' };
const BOB = { id: 1002, first_name: 'Bob', username: 'bob' };
const OUTAGE_MS = Number(process.env.FAULT_OUTAGE_MS ?? 30_000);

type Sent = { message_id: number; text?: string };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Telegram answers 5xx to every call for 30 s while visitors keep writing: afterwards every message has
 * reached its agent exactly once and in order, and every new ticket has exactly one card.
 */
describe(`Telegram down for ${OUTAGE_MS / 1000} s under visitor traffic (${databaseKind})`, () => {
  let fake: FakeTelegram;
  let app: TestApp;

  const cardsOf = (ticketId: number) =>
    fake.sentTo(GROUP).filter((m: Sent) => m.text?.split('\n')[0]?.match(new RegExp(`#${ticketId}\\b`)));
  /** The bodies relayed to an agent's DM that carry `prefix`, in the order Telegram received them. */
  const relayed = (agentId: number, prefix: string) =>
    fake
      .sentTo(agentId)
      .map((m: Sent) => m.text?.split('\n').at(-1) ?? '')
      .filter((body: string) => body.startsWith(prefix));

  beforeAll(async () => {
    fake = await startFakeTelegram();
    const telegramEnv = fakeSupportGroup(fake, GROUP, [ALICE, BOB]);
    app = await startTestApp({
      ...telegramEnv,
      BOT_MODE: 'polling',
      RATE_LIMIT_MESSAGES: '1000',
      AFTER_HOURS_MINUTES: '600',
    });
    await agentsStartTheBot(fake, [ALICE, BOB]);
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await fake?.close();
  });

  it('loses nothing, duplicates nothing, keeps the order', async () => {
    // Four claimed tickets (two per agent) before the outage.
    const claimed: { visitor: Visitor; agentId: number; prefix: string; sent: string[] }[] = [];
    for (let i = 0; i < 4; i += 1) {
      const visitor = await newVisitor(app.url);
      const { ticket } = await visitor.say(`claimed ${i}: hello`);
      const card = (await fake.waitFor(() => cardsOf(ticket.id)[0], { timeoutMs: 15_000 })) as Sent;
      const agentId = i % 2 === 0 ? ALICE.id : BOB.id;
      fake.clickButton({ from: agentId, chatId: GROUP, messageId: card.message_id, text: '✅ Claim' });
      await fake.waitFor(() => fake.sentTo(agentId).some((m: Sent) => m.text?.includes(`#${ticket.id}`)), {
        timeoutMs: 15_000,
      });
      claimed.push({ visitor, agentId, prefix: `c${i}-`, sent: [] });
    }

    const outageEnds = Date.now() + OUTAGE_MS;
    fake.fail({ methods: 'all', status: 502, untilMs: outageEnds });

    // During the outage: the claimed visitors write every ~300 ms; a new visitor arrives every ~2 s.
    const newTickets: { visitor: Visitor; ticketId: number; sent: string[] }[] = [];
    const rejected: string[] = [];
    const writers = claimed.map(async (entry) => {
      for (let n = 1; Date.now() < outageEnds; n += 1) {
        const body = `${entry.prefix}${n}`;
        await entry.visitor.say(body).then(
          () => entry.sent.push(body),
          (error: Error) => rejected.push(`${body}: ${error.message}`),
        );
        await sleep(300);
      }
    });
    const arrivals = (async () => {
      for (let n = 1; Date.now() < outageEnds - 1000; n += 1) {
        const visitor = await newVisitor(app.url);
        const first = await visitor.say(`new ${n}: my first message`);
        await visitor.say(`new ${n}: and a second one`);
        newTickets.push({ visitor, ticketId: first.ticket.id, sent: [] });
        await sleep(2000);
      }
    })();
    await Promise.all([...writers, arrivals]);
    expect(rejected).toEqual([]); // the visitor side never waits for Telegram
    expect(fake.calls.filter((call: { status: number }) => call.status === 502).length).toBeGreaterThan(0);

    // After recovery: every message reaches its agent, in order, once; every new ticket has one card.
    await fake.waitFor(
      () =>
        claimed.every((entry) => relayed(entry.agentId, entry.prefix).length >= entry.sent.length) &&
        newTickets.every((ticket) => cardsOf(ticket.ticketId).length >= 1),
      { timeoutMs: 120_000 },
    );
    await sleep(1000); // room for a duplicate to show up
    for (const entry of claimed) expect(relayed(entry.agentId, entry.prefix)).toEqual(entry.sent);
    expect(newTickets.length).toBeGreaterThan(5);
    for (const ticket of newTickets) expect(cardsOf(ticket.ticketId)).toHaveLength(1);
    // The cards catch up with the visitors' latest messages (edits after the first post).
    await fake.waitFor(
      () =>
        newTickets.every((ticket) =>
          fake
            .messages(GROUP)
            .some(
              (m: Sent) =>
                m.text?.match(new RegExp(`#${ticket.ticketId}\\b`)) && m.text.includes('and a second one'),
            ),
        ),
      { timeoutMs: 60_000 },
    );
  }, 240_000);
});
