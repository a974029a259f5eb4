import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentTicketResponse, TodayStatsResponse } from '../contract/agent-api.ts';
import { type FakeTelegram, startFakeTelegram } from './fake-telegram/index.ts';
import { databaseKind } from './support/database.ts';
import { httpClient } from './support/http.ts';
import { signInitData, tma } from './support/init-data.ts';
import {
  agentsStartTheBot,
  claimedTicket,
  fakeSupportGroup,
  newTicketCard,
} from './support/support-group.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { newVisitor, type Visitor } from './support/visitor.ts';

const GROUP = -1001234567890;
const ALICE = { id: 4001, first_name: 'Alice', username: 'alice' };
const TIMEOUT = { timeoutMs: 20_000 };

// A 1×1 PNG.
const PIXEL_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

type Sent = { message_id: number; text?: string; caption?: string; photo?: unknown[] };
/** One Telegram message the agent got about a ticket: its label line and the text under it. */
type Relayed = { label: string; body: string; photo: boolean };

/**
 * Issue 10 §2: what Telegram refuses (too long as it counts, or refused for any other permanent reason)
 * never blocks or drops the messages after it. The real product on the fake Bot API, which enforces
 * Telegram's limits: 4,096 UTF-16 code units per message and 1,024 per caption, after entity parsing.
 */
describe(`delivery to Telegram: long, emoji-heavy and refused messages (${databaseKind})`, () => {
  let fake: FakeTelegram;
  let app: TestApp;

  /** What the agent's DM got about the ticket's visitor messages, in order (the "connected" note aside). */
  const relayed = (ticketId: number): Relayed[] =>
    fake.sentTo(ALICE.id).flatMap((m: Sent) => {
      const text = m.text ?? m.caption ?? '';
      const [label = '', ...rest] = text.split('\n');
      if (!label.startsWith(`#${ticketId} · Visitor`)) return [];
      return [{ label, body: rest.join('\n'), photo: Boolean(m.photo) }];
    });
  const bodies = (ticketId: number) => relayed(ticketId).map((m) => m.body);

  /** A ticket claimed by Alice, who got the "connected" note. */
  const claimed = () =>
    claimedTicket(fake, { appUrl: app.url, groupId: GROUP, agent: ALICE, timeoutMs: TIMEOUT.timeoutMs });

  /** Several short messages after the troublesome one; all must reach the agent, in order. */
  const SHORT = ['after 1', 'after 2', 'after 3'];
  const sayShortOnes = async (visitor: Visitor, ticketId: number) => {
    for (const body of SHORT) await visitor.say(body);
    await fake.waitFor(() => bodies(ticketId).includes(SHORT.at(-1) as string), TIMEOUT);
  };

  const upload = async (visitor: Visitor, caption: string) => {
    const form = new FormData();
    form.append('file', new Blob([PIXEL_PNG], { type: 'image/png' }), 'screenshot.png');
    form.append('body', caption);
    const response = await fetch(`${app.url}/api/session/${visitor.sessionId}/media`, {
      method: 'POST',
      headers: { authorization: `Bearer ${visitor.token}` },
      body: form,
    });
    expect(response.status).toBe(201);
  };

  const agentApi = (path: string) =>
    httpClient(app.url).get(path, { headers: tma(signInitData(fake.token, ALICE)) });

  beforeAll(async () => {
    fake = await startFakeTelegram();
    app = await startTestApp({
      ...fakeSupportGroup(fake, GROUP, [ALICE]),
      RATE_LIMIT_MESSAGES: '100',
    });
    await agentsStartTheBot(fake, [ALICE]);
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await fake?.close();
  });

  it('2,100 emoji (4,200 UTF-16 code units) arrive whole, in parts, then the messages after them', async () => {
    const { visitor, ticketId } = await claimed();
    const emoji = '😀'.repeat(2100);
    await visitor.say(emoji);
    await sayShortOnes(visitor, ticketId);

    const got = relayed(ticketId);
    expect(got.map((m) => m.label)).toEqual([
      `#${ticketId} · Visitor (1/2)`,
      `#${ticketId} · Visitor (2/2)`,
      ...SHORT.map(() => `#${ticketId} · Visitor`),
    ]);
    expect(
      got
        .slice(0, 2)
        .map((m) => m.body)
        .join(''),
    ).toBe(emoji);
    expect(got.slice(2).map((m) => m.body)).toEqual(SHORT);
  });

  it('Telegram failing between the parts of a long message: each part arrives once, in order', async () => {
    const { visitor, ticketId } = await claimed();
    // The second part fails twice (5xx), after the first went out: the retries go on from the second.
    fake.fail({
      methods: ['sendMessage'],
      count: 2,
      status: 502,
      when: (params) => String(params.text).startsWith(`<b>#${ticketId}</b> · Visitor (2/2)`),
    });
    const emoji = '🙂'.repeat(3000);
    await visitor.say(emoji);
    await sayShortOnes(visitor, ticketId);

    const got = relayed(ticketId);
    expect(got.map((m) => m.label)).toEqual([
      `#${ticketId} · Visitor (1/2)`,
      `#${ticketId} · Visitor (2/2)`,
      ...SHORT.map(() => `#${ticketId} · Visitor`),
    ]);
    expect(got[0]?.body.concat(got[1]?.body ?? '')).toBe(emoji);
    expect(fake.callsOf('sendMessage').filter((c) => c.status === 502)).toHaveLength(2);
  });

  it('4,097 ASCII characters arrive whole, in parts, then the messages after them', async () => {
    const { visitor, ticketId } = await claimed();
    const ascii = 'a'.repeat(4097);
    await visitor.say(ascii);
    await sayShortOnes(visitor, ticketId);

    const got = bodies(ticketId);
    expect(got.slice(0, 2).join('')).toBe(ascii);
    expect(got.slice(2)).toEqual(SHORT);
  });

  it('a long text of words with escapes is split between words and arrives complete', async () => {
    const { visitor, ticketId } = await claimed();
    // 5,400 code units of text; each "&" and "<" is an HTML escape in the rendered message.
    const words = Array.from({ length: 600 }, (_, i) => `w${i}&<x>`).join(' ');
    await visitor.say(words);
    await sayShortOnes(visitor, ticketId);

    const got = bodies(ticketId);
    const parts = got.slice(0, -SHORT.length);
    expect(parts.length).toBe(2);
    // Telegram trims the space a part ends with: the words are all there, none cut.
    expect(parts.join(' ')).toBe(words);
    expect(got.slice(-SHORT.length)).toEqual(SHORT);
  });

  it('a photo with a 600-emoji caption (over 1,024): the photo, then the text, then the rest', async () => {
    const { visitor, ticketId } = await claimed();
    const caption = '🎉'.repeat(600);
    await upload(visitor, caption);
    await sayShortOnes(visitor, ticketId);

    const got = relayed(ticketId);
    expect(got[0]).toEqual({ label: `#${ticketId} · Visitor 📎`, body: '', photo: true });
    expect(got[1]).toEqual({ label: `#${ticketId} · Visitor 📎`, body: caption, photo: false });
    expect(got.slice(2).map((m) => m.body)).toEqual(SHORT);

    // A caption that fits stays with its photo.
    await upload(visitor, 'short caption');
    await fake.waitFor(() => relayed(ticketId).some((m) => m.photo && m.body === 'short caption'), TIMEOUT);
  });

  it('a message Telegram refuses for good is marked undeliverable; the ones after it arrive in order', async () => {
    const { visitor, ticketId } = await claimed();
    // Telegram refuses these every time: retrying cannot help.
    fake.refuse({
      methods: ['sendMessage'],
      status: 400,
      description: 'Bad Request: message text is empty',
      when: (params) => String(params.text).includes('refuse me'),
    });
    fake.refuse({
      methods: ['sendMessage'],
      count: 1,
      status: 403,
      description: 'Forbidden: bot was blocked by the user',
      when: (params) => String(params.text).includes('blocked'),
    });
    await visitor.say('please refuse me');
    await visitor.say('before the block');
    await visitor.say('blocked one');
    await sayShortOnes(visitor, ticketId);

    expect(bodies(ticketId)).toEqual(['before the block', ...SHORT]);
    // The agent is told in the DM where to read the refused one; the group learns of the block.
    await fake.waitFor(
      () => fake.sentTo(ALICE.id).some((m: Sent) => m.text?.startsWith(`⚠️ #${ticketId} · a visitor message`)),
      TIMEOUT,
    );
    await fake.waitFor(
      () => fake.sentTo(GROUP).some((m: Sent) => m.text?.includes("I can't message @alice")),
      TIMEOUT,
    );

    // The Mini App shows both as not delivered, with Telegram's reason; the others as delivered.
    const ticket = (await agentApi(`/api/agent/tickets/${ticketId}`)).body as AgentTicketResponse;
    const marks = Object.fromEntries(
      ticket.messages
        .filter((m) => m.sender === 'visitor')
        .map((m) => [m.body, m.undeliverable?.reason ?? null]),
    );
    expect(marks).toEqual({
      'Hello, I have a question': null,
      'please refuse me': 'Bad Request: message text is empty',
      'before the block': null,
      'blocked one': 'Forbidden: bot was blocked by the user',
      ...Object.fromEntries(SHORT.map((body) => [body, null])),
    });
    const stats = (await agentApi('/api/agent/stats/today')).body as TodayStatsResponse;
    expect(stats.undeliverable_count).toBeGreaterThanOrEqual(2);
  });

  it('a card whose first message is long and emoji-heavy shows a preview within Telegram limits; the history has it whole', async () => {
    const visitor = await newVisitor(app.url);
    // 300 + 1 + 6,000 UTF-16 code units: more than one Telegram message.
    const first = `${'👍'.repeat(150)} ${'lorem ipsum '.repeat(500).trim()}`;
    const ticketId = (await visitor.say(first)).ticket.id;
    const card = await fake.waitFor(() => newTicketCard(fake, GROUP, ticketId), TIMEOUT);
    const preview = card.text?.split('\n')[1] ?? '';
    // 200 UTF-16 code units at most, cut between characters (99 whole 👍 and "…").
    expect(preview).toBe(`${'👍'.repeat(99)}…`);

    // Claimed, the agent gets the history: the long message whole, over two labelled messages (split
    // between words), never cut.
    fake.clickButton({ from: ALICE.id, chatId: GROUP, messageId: card.message_id, text: '✅ Claim' });
    const isHistory = (m: Sent) =>
      m.text?.startsWith(`🔗 You're connected to #${ticketId}`) ||
      m.text?.startsWith(`#${ticketId} · history (`);
    await fake.waitFor(
      () => fake.sentTo(ALICE.id).some((m: Sent) => m.text?.startsWith(`#${ticketId} · history (2/2)`)),
      TIMEOUT,
    );
    const history = fake.sentTo(ALICE.id).filter(isHistory);
    expect(history).toHaveLength(2);
    for (const part of history) expect((part.text ?? '').length).toBeLessThanOrEqual(4096);
    const lines = history.flatMap((m: Sent) => (m.text ?? '').split('\n\n')[1]?.split('\n') ?? []);
    // The visitor's message and its continuations (the history ends with "System: Alice joined…").
    const visitorLines = lines.slice(
      0,
      lines.findIndex((line: string) => line.startsWith('System: ')),
    );
    const pieces = visitorLines.map((line: string) => line.replace(/^(Visitor: |↳ )/, ''));
    expect(pieces.join(' ').replace(/\s+/g, ' ')).toBe(first);
    expect(visitorLines.filter((line: string) => line.startsWith('↳ ')).length).toBeGreaterThan(0);
  });

  it('a card Telegram refuses for good does not hold back the cards after it', async () => {
    fake.refuse({
      methods: ['sendMessage'],
      status: 400,
      description: 'Bad Request: chat not found',
      when: (params) => Number(params.chat_id) === GROUP && String(params.text).includes('card refused'),
    });
    const refused = await newVisitor(app.url);
    const refusedId = (await refused.say('card refused')).ticket.id;
    const next = await newVisitor(app.url);
    const nextId = (await next.say('the next card')).ticket.id;
    await fake.waitFor(() => newTicketCard(fake, GROUP, nextId), TIMEOUT);
    expect(newTicketCard(fake, GROUP, refusedId)).toBeUndefined();
    expect(
      fake
        .callsOf('sendMessage')
        .some((c) => c.status === 400 && String(c.params.text).includes('card refused')),
    ).toBe(true);
  });
});
