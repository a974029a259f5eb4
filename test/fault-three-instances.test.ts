import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Message } from 'grammy/types';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeTelegram, startFakeTelegram } from './fake-telegram/index.ts';
import { createTestDatabase, databaseKind } from './support/database.ts';
import { openResumableStream, type ResumableStream } from './support/resumable-sse.ts';
import { type RoundRobinProxy, startRoundRobinProxy } from './support/round-robin-proxy.ts';
import { freePort, type ServerProcess, spawnServer } from './support/server-process.ts';
import { fakeSupportGroup } from './support/support-group.ts';
import { startTelegramTap, type TelegramTap } from './support/telegram-tap.ts';
import { TEST_JWT_SECRET } from './support/test-app.ts';

const GROUP = -1001234567890;
const VISITORS = 500;
/** Visitors whose tickets agents claim and answer. */
const CONVERSING = 60;
/**
 * Visitors who wrote and wait for an agent; they write again just as the instance dies (some of those sends
 * are cut off with it and retried). The rest have the widget open and only read.
 */
const WAITING = 100;
const AGENTS = Array.from({ length: 10 }, (_, index) => ({
  id: 3001 + index,
  first_name: `Agent${index + 1}`,
  username: `agent${index + 1}`,
}));
const WEBHOOK_SECRET = 'webhook-secret-0123456789';
/** Every wait of the test ends by then (the test's own limit is a little longer). */
const STEP_TIMEOUT_MS = 150_000;
const POSTGRES_ONLY =
  'PostgreSQL only: three server processes share one database, which embedded PGlite (one process) cannot';

type StoredMessage = { id: number; sender: string; body: string };
type Visitor = {
  index: number;
  sessionId: string;
  token: string;
  stream: ResumableStream;
  ticketId?: number;
  /** Bodies of the messages whose POST was answered 201. */
  acked: string[];
  /** Sends whose answer was lost (connection cut, 502/503): retried with the same client id. */
  unanswered: { body: string; status: number }[];
  /** Agent messages Telegram accepted for this visitor. */
  agentReplies: string[];
};

const bodies = (index: number) => ({
  m1: `v${index} m1: hello, my order has not arrived`,
  r1: `a→v${index} r1: let me check that for you`,
  m2: `v${index} m2: thanks, it is order ${1000 + index}`,
  r2: `a→v${index} r2: found it, it ships today`,
});

/** `what` may be a function: what the state is when the wait fails, for the message. */
const within = <T>(promise: Promise<T>, what: string | (() => string), ms = STEP_TIMEOUT_MS) =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(new Error(`timed out after ${ms} ms: ${typeof what === 'string' ? what : what()}`)),
        ms,
      ).unref(),
    ),
  ]);

/** Runs `task` over `items`, at most `limit` at a time. */
async function eachLimit<T>(items: T[], limit: number, task: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await task(items[next++] as T);
    }),
  );
}

/**
 * The fake Telegram's record, indexed as it grows (one pass over new calls every 20 ms, however many
 * waiters): the support group's cards by ticket, the "connected to #N" notices by ticket, and the
 * messages relayed to agents by their last line (the visitor's text).
 */
function telegramIndex(fake: FakeTelegram) {
  let cursor = 0;
  const cards = new Map<number, Message[]>();
  const connected = new Map<number, Message[]>();
  const relayed = new Map<string, Message[]>();
  const waiters = new Set<() => boolean>();
  const add = <K>(map: Map<K, Message[]>, key: K, message: Message) =>
    map.set(key, [...(map.get(key) ?? []), message]);
  const advance = () => {
    const calls = fake.calls;
    for (; cursor < calls.length; cursor += 1) {
      const call = calls[cursor];
      if (!call?.ok || call.method !== 'sendMessage') continue;
      const message = call.result as Message;
      const text = message.text ?? '';
      if (message.chat.id === GROUP) {
        const ticket = /#(\d+)\b/.exec(text.split('\n')[0] ?? '')?.[1];
        if (ticket) add(cards, Number(ticket), message);
        continue;
      }
      const ticket = /connected to #(\d+)\b/.exec(text)?.[1];
      if (ticket) add(connected, Number(ticket), message);
      else add(relayed, text.split('\n').at(-1) ?? '', message);
    }
    for (const waiter of [...waiters]) if (waiter()) waiters.delete(waiter);
  };
  const timer = setInterval(advance, 20);
  return {
    cards,
    relayed,
    /** Resolves with `get()` once it is defined. */
    wait<T>(get: () => T | undefined, what: string): Promise<T> {
      return within(
        new Promise<T>((resolve) =>
          waiters.add(() => {
            const value = get();
            if (value !== undefined) resolve(value);
            return value !== undefined;
          }),
        ),
        what,
      );
    },
    card: (ticketId: number) => cards.get(ticketId)?.[0],
    /** Every copy of the ticket's "connected" notice (a delivery cut by the kill may send it twice). */
    connected: (ticketId: number) => connected.get(ticketId),
    stop: () => {
      clearInterval(timer);
      advance();
    },
  };
}

/**
 * Three instances (`node main.ts`, separate processes) on one PostgreSQL database behind a round-robin
 * proxy; Telegram's webhook points at the proxy too. 500 visitors with event streams chat with agents who
 * claim and answer in Telegram; halfway through, one instance is killed with SIGKILL (issue 15).
 */
describe.skipIf(databaseKind !== 'postgresql')(`three instances, one killed (${POSTGRES_ONLY})`, () => {
  let fake: FakeTelegram;
  let proxy: RoundRobinProxy;
  const taps: TelegramTap[] = [];
  const servers: ServerProcess[] = [];
  const dataDirs: string[] = [];
  let databaseUrl: string;
  let drop: () => Promise<void> = async () => {};

  beforeAll(async () => {
    // Telegram keeps redelivering an update its webhook did not take (the proxy answers 502 for a cut one).
    fake = await startFakeTelegram({ webhookRetryDelayMs: 100, webhookMaxAttempts: 100_000 });
    const telegramEnv = fakeSupportGroup(fake, GROUP, AGENTS);
    const database = await createTestDatabase();
    drop = database.drop;
    databaseUrl = (database.options as { url: string }).url;
    const start = async () => {
      const port = await freePort();
      const tap = await startTelegramTap(fake.apiRoot);
      taps.push(tap);
      const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-scale-'));
      dataDirs.push(dataDir);
      const server = spawnServer({
        DATA_DIR: dataDir,
        DATABASE_URL: databaseUrl,
        JWT_SECRET: TEST_JWT_SECRET,
        ...telegramEnv,
        TELEGRAM_API_ROOT: tap.apiRoot,
        BOT_MODE: 'webhook',
        WEBHOOK_SECRET,
        // Every visitor comes from loopback, through one proxy: one address.
        RATE_LIMIT_MESSAGES: '100000',
        RATE_LIMIT_SESSIONS: '100000',
        EVENT_STREAMS_PER_IP: '100000',
        AFTER_HOURS_MINUTES: '600',
        // Quiet: three servers logging every request would cost this process more than the test.
        LOG_LEVEL: 'warn',
        PORT: String(port),
      });
      servers.push(server);
      return server.listening;
    };
    // The first sets up the new database (migrations, the job queue's tables); then the other two together.
    // All three start at once on the new database, as a deployment's replicas do: they take turns to
    // migrate and create the job queues (db/orm.ts inStartupTurn).
    const urls = await Promise.all([start(), start(), start()]);
    proxy = await startRoundRobinProxy(urls);
    // Each bot registers its commands (two calls) once it reached the Bot API.
    await fake.waitFor(() => fake.callsOf('setMyCommands').length >= 6, { timeoutMs: 60_000 });
    const set = await fetch(`${fake.apiRoot}/bot${fake.token}/setWebhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: `${proxy.url}/api/telegram/webhook`, secret_token: WEBHOOK_SECRET }),
    });
    expect(set.status).toBe(200);
    // Each agent presses Start in the bot's DM once (Telegram lets a bot write only to users who did).
    for (const agent of AGENTS) fake.sendText({ from: agent.id, text: '/start' });
    await fake.waitFor(() => AGENTS.every((agent) => fake.sentTo(agent.id).length > 0), {
      timeoutMs: 60_000,
    });
  }, 120_000);

  afterAll(async () => {
    for (const server of servers) await server.kill();
    await proxy?.close();
    for (const tap of taps) await tap.close();
    await fake?.close();
    await drop();
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('nothing acknowledged is lost or duplicated, and every stream resumes on another instance', async () => {
    const index = telegramIndex(fake);
    // For the agents' look-ups of what is recorded (recordedCopy); closed at the end.
    const links = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    const total = CONVERSING * 4; // per conversing visitor: two messages acknowledged, two replies seen on the stream
    let progress = 0;
    let halfway: () => void = () => {};
    const reachedHalfway = new Promise<void>((resolve) => {
      halfway = resolve;
    });
    const step = (visitor: Visitor) => {
      if (visitor.index >= CONVERSING) return;
      progress += 1;
      if (progress >= total / 2) halfway();
    };

    // 1. The visitors: a session each and an event stream, through the proxy.
    const visitors: Visitor[] = [];
    await eachLimit(
      Array.from({ length: VISITORS }, (_, i) => i),
      25,
      async (i) => {
        const session = await post('/api/session', {});
        const { session_id: sessionId, access_token: token } = session.body as {
          session_id: string;
          access_token: string;
        };
        const stream = openResumableStream(`${proxy.url}/api/session/${sessionId}/events`, token);
        await within(stream.opened, `stream ${i} opened`);
        visitors.push({ index: i, sessionId, token, stream, acked: [], unanswered: [], agentReplies: [] });
      },
    );

    async function post(path: string, json: unknown, token?: string) {
      const response = await fetch(`${proxy.url}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(json),
      });
      return { status: response.status, body: (await response.json()) as unknown };
    }

    /**
     * A visitor's send, as the widget makes it: one client id for the message, kept across retries. An
     * answer lost to the crash (the connection cut, or the proxy's 502) is sent again shortly after.
     */
    async function say(visitor: Visitor, body: string) {
      const clientId = randomUUID();
      for (;;) {
        const answer = await post(
          `/api/session/${visitor.sessionId}/messages`,
          { body, client_id: clientId },
          visitor.token,
        ).catch(() => ({ status: 0, body: undefined }));
        if (answer.status === 201) {
          visitor.acked.push(body);
          step(visitor);
          return answer.body as { ticket: { id: number } };
        }
        if (answer.status !== 0 && answer.status < 500)
          throw new Error(`send refused: ${answer.status} ${JSON.stringify(answer.body)}`);
        visitor.unanswered.push({ body, status: answer.status });
        await new Promise((resolve) => setTimeout(resolve, 200 + Math.random() * 300));
      }
    }

    const sawOnStream = (visitor: Visitor, body: string) =>
      within(
        visitor.stream.waitFor(() =>
          visitor.stream.events.some((e) => e.event === 'message' && (e.data as StoredMessage).body === body),
        ),
        () =>
          `visitor ${visitor.index} sees "${body}" (sent by the agent: ${visitor.agentReplies.includes(body)}; ` +
          `stream connections: ${JSON.stringify(visitor.stream.connections)}; events: ` +
          `${JSON.stringify(visitor.stream.events.map((e) => [e.event, e.id, e.connection]))})`,
      ).then(() => step(visitor));

    /**
     * The id of a copy of a ticket's message in the agent's chat that is recorded as the ticket's, once
     * there is one: the agent replies to it. A person replies seconds after a message shows, by when its
     * instance has recorded it; these agents answer within milliseconds, so they wait for the record. A
     * copy whose instance died before recording it is never recorded, and the bot refuses a reply to it
     * (test/bot.test.ts): the agent replies to the copy sent again instead.
     */
    const recordedCopy = (chatId: number, copies: () => Message[] | undefined, what: string) =>
      within(
        (async () => {
          for (;;) {
            const ids = (copies() ?? []).map((copy) => copy.message_id);
            if (ids.length) {
              const { rows } = await links.query<{ id: number }>(
                `select tg_message_id::int as id from telegram_messages
                  where chat_id = $1 and tg_message_id = any($2::int[])`,
                [chatId, ids],
              );
              const recorded = ids.find((id) => rows.some((row) => row.id === id));
              if (recorded !== undefined) return recorded;
            }
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        })(),
        `${what}, recorded`,
      );

    const agentSays = (visitor: Visitor, agentId: number, text: string, replyTo: number) => {
      fake.sendText({ from: agentId, text, replyTo });
      visitor.agentReplies.push(text);
    };

    // 2. The conversations. The first CONVERSING visitors chat with their agent (claim, then two rounds);
    // the next WAITING wrote their first message and wait for an agent, and write again as an instance dies.
    const killed = 1;
    let releaseWriters: () => void = () => {};
    const writeAgain = new Promise<void>((resolve) => {
      releaseWriters = resolve;
    });
    const conversation = async (visitor: Visitor) => {
      const agent = AGENTS[visitor.index % AGENTS.length] as (typeof AGENTS)[number];
      const text = bodies(visitor.index);
      const { ticket } = await say(visitor, text.m1);
      visitor.ticketId = ticket.id;
      const agentSide = (async () => {
        const card = await index.wait(() => index.card(ticket.id), `card of #${ticket.id}`);
        fake.clickButton({ from: agent.id, chatId: GROUP, messageId: card.message_id, text: '✅ Claim' });
        const connected = await recordedCopy(
          agent.id,
          () => index.connected(ticket.id),
          `#${ticket.id} connected`,
        );
        agentSays(visitor, agent.id, text.r1, connected);
        const relayed = await recordedCopy(
          agent.id,
          () => index.relayed.get(text.m2),
          `"${text.m2}" relayed`,
        );
        agentSays(visitor, agent.id, text.r2, relayed);
      })();
      await sawOnStream(visitor, text.r1);
      await say(visitor, text.m2);
      await sawOnStream(visitor, text.r2);
      await agentSide;
    };
    let secondMessagesAcked = 0;
    const waiting = async (visitor: Visitor) => {
      const text = bodies(visitor.index);
      const { ticket } = await say(visitor, text.m1);
      visitor.ticketId = ticket.id;
      await writeAgain;
      await say(visitor, text.m2);
      secondMessagesAcked += 1;
      await within(
        visitor.stream.waitFor(() =>
          visitor.stream.events.some(
            (e) => e.event === 'message' && (e.data as StoredMessage).body === text.m2,
          ),
        ),
        () =>
          `visitor ${visitor.index} sees its own "${text.m2}" (unanswered sends: ` +
          `${JSON.stringify(visitor.unanswered)}; stream connections: ${JSON.stringify(visitor.stream.connections)})`,
      );
    };
    // The conversing visitors' tickets first, so that their cards lead the group's queue.
    const conversing = visitors.filter((visitor) => visitor.index < CONVERSING);
    const conversations = Promise.all(conversing.map(conversation));
    await within(
      (async () => {
        while (conversing.some((visitor) => visitor.ticketId === undefined))
          await new Promise((resolve) => setTimeout(resolve, 20));
      })(),
      "the conversing visitors' tickets",
    );
    const waits = Promise.all(
      visitors
        .filter((visitor) => visitor.index >= CONVERSING && visitor.index < CONVERSING + WAITING)
        .map(waiting),
    );

    // 3. Halfway through the conversations, one instance dies without any shutdown, while the waiting
    // visitors' second messages are on their way.
    await within(reachedHalfway, 'halfway');
    releaseWriters();
    await within(
      (async () => {
        // The first one answered: the others are on their way, a third of them to the instance that dies.
        while (secondMessagesAcked === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      })(),
      'the first second message answered',
    );
    const killedHost = new URL(await (servers[killed] as ServerProcess).listening).host;
    const onKilled = visitors
      .map((visitor) => ({ visitor, connection: visitor.stream.connections.length - 1 }))
      .filter(({ visitor, connection }) => {
        const current = visitor.stream.connections[connection];
        return current?.upstream === killedHost && !current.ended;
      });
    const killedAt = Date.now();
    expect(await (servers[killed] as ServerProcess).kill()).toBe('SIGKILL');
    const progressAtKill = progress;

    await Promise.all([conversations, waits]);
    // Deliveries the dead instance had in hand are retried once their heartbeat is overdue: wait for them.
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const deadline = Date.now() + STEP_TIMEOUT_MS;
      for (;;) {
        const { rows } = await db.query<{ waiting: number }>(
          `select count(*)::int as waiting from pgboss.job
            where name = 'telegram-outbound' and state in ('created', 'retry', 'active')`,
        );
        if (rows[0]?.waiting === 0) break;
        if (Date.now() > deadline) throw new Error(`${rows[0]?.waiting} deliveries still waiting`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    } finally {
      await db.end();
    }
    index.stop();
    await links.end();

    // 4. What is stored: every acknowledged message and every agent message once; a retried send once.
    const stored = new Map<string, StoredMessage[]>();
    await eachLimit(visitors, 50, async (visitor) => {
      const response = await fetch(`${proxy.url}/api/session/${visitor.sessionId}`, {
        headers: { authorization: `Bearer ${visitor.token}` },
      });
      expect(response.status).toBe(200);
      stored.set(visitor.sessionId, ((await response.json()) as { messages: StoredMessage[] }).messages);
    });
    const problems: string[] = [];
    const excusedDuplicates: string[] = [];
    for (const visitor of visitors) {
      const messages = stored.get(visitor.sessionId) ?? [];
      const count = (body: string, sender: string) =>
        messages.filter((m) => m.body === body && m.sender === sender).length;
      for (const body of visitor.acked)
        if (count(body, 'visitor') !== 1) problems.push(`"${body}" stored ${count(body, 'visitor')} times`);
      for (const { body } of visitor.unanswered)
        if (count(body, 'visitor') > 1)
          problems.push(`retried "${body}" stored ${count(body, 'visitor')} times`);
      for (const body of visitor.agentReplies)
        if (count(body, 'agent') !== 1)
          problems.push(`agent's "${body}" stored ${count(body, 'agent')} times`);
    }

    // 5. What reached Telegram: one card per ticket, each later message relayed to its agent once. A copy
    // sent twice is excused only when the killed instance sent the first (Telegram answered, the instance
    // died before recording it) and another instance sent it again after the kill. The tap may note the
    // killed instance's last send a little after `killedAt`: it reads the request when the test's busy
    // event loop gets to it, but a killed process writes nothing, so whatever it sent left before it died.
    const onceInTelegram = (copies: Message[] | undefined, what: string) => {
      if (copies?.length === 1) return;
      const [first, second] = copies ?? [];
      const excused =
        copies?.length === 2 &&
        first !== undefined &&
        second !== undefined &&
        taps[killed]?.sentAt(first.chat.id, first.message_id) !== undefined &&
        taps[killed]?.sentAt(second.chat.id, second.message_id) === undefined &&
        taps.some((tap) => (tap.sentAt(second.chat.id, second.message_id) ?? 0) > killedAt);
      const from = (copies ?? []).map((copy) => {
        const by = taps.findIndex((tap) => tap.sentAt(copy.chat.id, copy.message_id) !== undefined);
        const at = taps[by]?.sentAt(copy.chat.id, copy.message_id) ?? Number.NaN;
        return `instance ${by} at ${at - killedAt} ms`;
      });
      if (excused) excusedDuplicates.push(what);
      else
        problems.push(
          `${what} reached Telegram ${copies?.length ?? 0} times (${from.join(', ')} from the kill)`,
        );
    };
    for (const visitor of visitors) {
      if (visitor.ticketId === undefined) continue; // a reader
      const text = bodies(visitor.index);
      const cards = index.cards.get(visitor.ticketId as number);
      onceInTelegram(cards, `the card of #${visitor.ticketId}`);
      if (visitor.index < CONVERSING) onceInTelegram(index.relayed.get(text.m2), `"${text.m2}"`);
      else {
        // A message on a ticket no agent took yet updates its card (the last copy, if it was sent twice).
        const last = cards?.at(-1);
        const card = last && fake.message(GROUP, last.message_id);
        if (!card?.text?.includes(text.m2))
          problems.push(`the card of #${visitor.ticketId} lacks "${text.m2}"`);
      }
    }

    // 6. The streams: every stored message once, none missed; those on the killed instance came back
    // through the proxy on another instance, resuming after the last event they had.
    for (const visitor of visitors) {
      const ids = visitor.stream.events
        .filter((e) => e.event === 'message')
        .map((e) => (e.data as StoredMessage).id);
      const seen = new Set(ids);
      if (seen.size !== ids.length) problems.push(`visitor ${visitor.index}: a message twice on the stream`);
      const missed = (stored.get(visitor.sessionId) ?? []).filter((m) => !seen.has(m.id));
      if (missed.length)
        problems.push(`visitor ${visitor.index} missed ${missed.map((m) => m.body).join(', ')}`);
    }
    for (const { visitor, connection } of onKilled) {
      const before = visitor.stream.connections[connection];
      const lastIdBefore = visitor.stream.events
        .filter((e) => e.connection === connection && e.id)
        .at(-1)?.id;
      const resumed = visitor.stream.connections.slice(connection + 1).find((c) => c.status === 200);
      if (!resumed || resumed.upstream === killedHost || resumed.upstream === before?.upstream)
        problems.push(`visitor ${visitor.index}'s stream did not resume on another instance`);
      else if (resumed.lastEventIdSent !== lastIdBefore)
        problems.push(
          `visitor ${visitor.index} resumed after ${resumed.lastEventIdSent}, its last event was ${lastIdBefore}`,
        );
    }
    await Promise.all(visitors.map((visitor) => visitor.stream.close()));

    const summary = {
      visitors: VISITORS,
      progressAtKill: `${progressAtKill}/${total}`,
      streamsOnKilledInstance: onKilled.length,
      unansweredSends: visitors.reduce((sum, v) => sum + v.unanswered.length, 0),
      excusedDuplicates,
      proxy: { ...proxy.stats, served: Object.fromEntries(proxy.stats.served) },
    };
    console.info(`three instances: ${JSON.stringify(summary)}`);
    expect(problems).toEqual([]);
    expect(progressAtKill).toBeLessThan(total);
    expect(onKilled.length).toBeGreaterThan(VISITORS / 10);
  }, 240_000);
});
