import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from '../db/database-errors.ts';
import type { EntityManager, Orm } from '../db/orm.ts';
import type { PostgresEventBus } from '../events/postgres-event-bus.ts';
import { type FakeTelegram, startFakeTelegram } from './fake-telegram/index.ts';
import { createTestDatabase, databaseKind } from './support/database.ts';
import { agentsStartTheBot, fakeSupportGroup } from './support/support-group.ts';
import { createTestOrm, startTestApp, type TestApp } from './support/test-app.ts';
import { newVisitor, type Visitor } from './support/visitor.ts';

const GROUP = -1001234567890;
const ALICE = { id: 1001, first_name: 'Alice', username: 'alice' };
/** How long the backends are killed, every 50–150 ms. */
const KILLS_MS = Number(process.env.FAULT_KILLS_MS ?? 5_000);
/**
 * A request still unanswered after this has hung: a visitor request waits for at most two pooled
 * connections (5 s each, db/orm.ts) and then runs a few milliseconds of SQL.
 */
const REQUEST_TIMEOUT_MS = 15_000;
/** /healthz bounds its own check at 2 s; the rest is room for a busy machine. */
const HEALTH_TIMEOUT_MS = 5_000;
/** The promise: serving normally again within this after the kills stop, without a restart. */
const RECOVERY_MS = 10_000;
const POSTGRES_ONLY = 'PostgreSQL only: PGlite runs in-process, there is no backend to kill';

type Sent = { message_id: number; text?: string };
type Outcome =
  | { body: string; status: number; code?: string; retryAfter: string | null; ms: number }
  | { body: string; hung: true }
  | { body: string; networkError: string };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A fetch that gives up after `timeoutMs`: `undefined` means it hung. */
async function boundedFetch(url: string, init: RequestInit, timeoutMs: number) {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const text = await response.text();
    let body: { error?: { code?: string } } | undefined;
    try {
      body = JSON.parse(text);
    } catch {}
    return { status: response.status, headers: response.headers, body };
  } catch (error) {
    if ((error as Error).name === 'TimeoutError') return undefined;
    throw error;
  }
}

/** A visitor's message, as the widget sends it, bounded by `timeoutMs`. */
const postMessage = (
  baseUrl: string,
  visitor: { sessionId: string; token: string },
  body: string,
  timeoutMs: number,
) =>
  boundedFetch(
    `${baseUrl}/api/session/${visitor.sessionId}/messages`,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${visitor.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ body }),
    },
    timeoutMs,
  );

/** Terminates every backend of `database` (but its own) every 50–150 ms until `until`. */
async function killBackends(adminUrl: string, database: string, until: number) {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  let rounds = 0;
  let killed = 0;
  try {
    while (Date.now() < until) {
      const { rows } = await admin.query<{ killed: boolean }>(
        'select pg_terminate_backend(pid) as killed from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
        [database],
      );
      rounds += 1;
      killed += rows.filter((row) => row.killed).length;
      await sleep(50 + Math.random() * 100);
    }
  } finally {
    await admin.end();
  }
  return { rounds, killed };
}

describe('isDatabaseUnavailable', () => {
  it('tells a database that cannot serve now from a failing request', () => {
    const withCode = (code: string) => Object.assign(new Error('x'), { code });
    expect(isDatabaseUnavailable(withCode('57P01'))).toBe(true); // terminating connection (pg_terminate_backend)
    expect(isDatabaseUnavailable(withCode('08006'))).toBe(true);
    expect(isDatabaseUnavailable(withCode('53300'))).toBe(true);
    expect(isDatabaseUnavailable(withCode('ECONNREFUSED'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(
      isDatabaseUnavailable(
        new Error('query failed', { cause: new Error('Client was closed and is not queryable') }),
      ),
    ).toBe(true);
    expect(isDatabaseUnavailable(withCode('23505'))).toBe(false); // unique violation: the request's fault
    expect(isDatabaseUnavailable(withCode('22P05'))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError('x is undefined'))).toBe(false);
    expect(isDatabaseUnavailable('Connection terminated')).toBe(false);
  });
});

describe.skipIf(databaseKind !== 'postgresql')(`failed transaction control (${POSTGRES_ONLY})`, () => {
  let orm: Orm;
  let close: () => Promise<void>;
  let admin: pg.Client;
  let pool: pg.Pool;

  beforeAll(async () => {
    ({ orm, close } = await createTestOrm());
    admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    const connection = orm.em.getConnection() as unknown as { getNativeClient(): Promise<pg.Pool> };
    pool = await connection.getNativeClient();
  });

  afterAll(async () => {
    await admin?.end();
    await close?.();
  });

  /** Kills the backend of the transaction `tx` runs on and waits until it is gone. */
  const killOwnBackend = async (tx: EntityManager) => {
    const [row] = await tx.execute<{ pid: number }[]>('select pg_backend_pid() as pid');
    const pid = row?.pid;
    await admin.query('select pg_terminate_backend($1)', [pid]);
    for (;;) {
      const { rows } = await admin.query('select 1 from pg_stat_activity where pid = $1', [pid]);
      if (rows.length === 0) return;
      await sleep(10);
    }
  };

  const pooled = () => ({ checkedOut: pool.totalCount - pool.idleCount, waiting: pool.waitingCount });
  /** How `promise` settles, or 'hung' when it has not within 8 s (past the pool's 5 s acquire timeout). */
  const settled = (promise: Promise<unknown>) =>
    Promise.race([
      promise.then(
        (value) => ({ value }),
        (error: Error) => ({ error }),
      ),
      sleep(8_000).then(() => 'hung' as const),
    ]);

  it('a transaction whose COMMIT fails gives its connection back', async () => {
    // More failures than the pool (10) has connections: each one used to keep its slot for ever.
    for (let i = 0; i < 12; i += 1) {
      const outcome = await settled(orm.em.fork().transactional((tx) => killOwnBackend(tx)));
      expect(outcome !== 'hung' && 'error' in outcome && isDatabaseUnavailable(outcome.error)).toBe(true);
    }
    expect(pooled()).toEqual({ checkedOut: 0, waiting: 0 });
    expect(await settled(orm.em.fork().execute('select 1 as one'))).toEqual({ value: [{ one: 1 }] });
  });

  it('a transaction whose ROLLBACK fails gives its connection back and keeps its own error', async () => {
    for (let i = 0; i < 12; i += 1) {
      const outcome = await settled(
        orm.em.fork().transactional(async (tx) => {
          await killOwnBackend(tx);
          throw new Error('the handler failed');
        }),
      );
      expect(outcome !== 'hung' && 'error' in outcome && outcome.error.message).toBe('the handler failed');
    }
    expect(pooled()).toEqual({ checkedOut: 0, waiting: 0 });
    expect(await settled(orm.em.fork().execute('select 1 as one'))).toEqual({ value: [{ one: 1 }] });
  });
});

/**
 * Issue 10 §1: the application's PostgreSQL backends are killed every 50–150 ms while visitors write
 * and the delivery worker relays their messages to Telegram. Afterwards the same process serves
 * normally within 10 s; nothing acknowledged is lost; nothing refused was written; nothing hung.
 */
describe.skipIf(databaseKind !== 'postgresql')(
  `database backends killed under load (${POSTGRES_ONLY})`,
  () => {
    let fake: FakeTelegram;
    let app: TestApp;
    let databaseUrl: string;
    let drop: () => Promise<void>;

    const cardsOf = (ticketId: number) =>
      fake.sentTo(GROUP).filter((m: Sent) => m.text?.split('\n')[0]?.match(new RegExp(`#${ticketId}\\b`)));
    /** The bodies relayed to Alice (a relayed message's last line is its body). */
    const relayedToAlice = () => new Set(fake.sentTo(ALICE.id).map((m: Sent) => m.text?.split('\n').at(-1)));

    beforeAll(async () => {
      fake = await startFakeTelegram();
      const database = await createTestDatabase();
      drop = database.drop;
      if (database.options.kind !== 'postgresql') throw new Error('PostgreSQL expected');
      databaseUrl = database.options.url;
      app = await startTestApp(
        {
          ...fakeSupportGroup(fake, GROUP, [ALICE]),
          BOT_MODE: 'polling',
          RATE_LIMIT_MESSAGES: '100000',
          AFTER_HOURS_MINUTES: '600',
        },
        { database: database.options },
      );
      await agentsStartTheBot(fake, [ALICE]);
    }, 60_000);

    afterAll(async () => {
      await app?.close();
      await drop?.();
      await fake?.close();
    });

    it('recovers within 10 s, loses nothing acknowledged, writes nothing refused, never hangs', async () => {
      // Three tickets claimed by Alice (each message is relayed to her DM) and three waiting in the
      // group (each message refreshes the card): the delivery worker is busy throughout.
      const writers: { visitor: Visitor; prefix: string; claimed: boolean; ticketId: number }[] = [];
      for (let i = 0; i < 6; i += 1) {
        const visitor = await newVisitor(app.url);
        const { ticket } = await visitor.say(`writer ${i}: hello`);
        const card = (await fake.waitFor(() => cardsOf(ticket.id)[0], { timeoutMs: 15_000 })) as Sent;
        const claimed = i < 3;
        if (claimed) {
          fake.clickButton({ from: ALICE.id, chatId: GROUP, messageId: card.message_id, text: '✅ Claim' });
          const connected = () => fake.sentTo(ALICE.id).some((m: Sent) => m.text?.includes(`#${ticket.id}`));
          await fake.waitFor(connected, { timeoutMs: 15_000 });
        }
        writers.push({ visitor, prefix: `w${i}-`, claimed, ticketId: ticket.id });
      }

      const killsEnd = Date.now() + KILLS_MS;
      const kills = killBackends(
        process.env.DATABASE_URL as string,
        new URL(databaseUrl).pathname.slice(1),
        killsEnd,
      );

      // Each visitor writes continuously, one message at a time, until the kills stop. Those on claimed
      // tickets pause 200 ms between messages, which keeps the agent's backlog to a few dozen: a backlog
      // of hundreds for one agent drains at about one message a second, kills or not (not this test's
      // subject).
      const outcomes: (Outcome & { claimed: boolean })[] = [];
      const writing = writers.map(async ({ visitor, prefix, claimed }) => {
        for (let n = 1; Date.now() < killsEnd; n += 1) {
          const body = `${prefix}${n}`;
          const started = Date.now();
          try {
            const response = await postMessage(app.url, visitor, body, REQUEST_TIMEOUT_MS);
            outcomes.push(
              response
                ? {
                    body,
                    claimed,
                    status: response.status,
                    code: response.body?.error?.code,
                    retryAfter: response.headers.get('retry-after'),
                    ms: Date.now() - started,
                  }
                : { body, claimed, hung: true },
            );
          } catch (error) {
            outcomes.push({ body, claimed, networkError: String(error) });
          }
          if (claimed) await sleep(200);
        }
      });
      // /healthz keeps answering, within its bound, during the kills.
      const healthChecks: ({ status: number; ms: number } | 'hung')[] = [];
      const probing = (async () => {
        while (Date.now() < killsEnd) {
          const started = Date.now();
          const response = await boundedFetch(`${app.url}/healthz`, {}, HEALTH_TIMEOUT_MS);
          healthChecks.push(response ? { status: response.status, ms: Date.now() - started } : 'hung');
          await sleep(200);
        }
      })();

      const { rounds, killed } = await kills;
      const killsStopped = Date.now();
      await probing;

      // Recovery: /healthz answers 200, a new visitor can start and write, the event bus listens again.
      let recoveredAfterMs: number | undefined;
      let lastProblem = '';
      while (Date.now() - killsStopped < RECOVERY_MS && recoveredAfterMs === undefined) {
        const health = await boundedFetch(`${app.url}/healthz`, {}, HEALTH_TIMEOUT_MS);
        const session =
          health?.status === 200
            ? await boundedFetch(`${app.url}/api/session`, { method: 'POST' }, 5_000)
            : undefined;
        const created = session?.body as { session_id: string; access_token: string } | undefined;
        const message =
          session?.status === 201 && created
            ? await postMessage(
                app.url,
                { sessionId: created.session_id, token: created.access_token },
                'after the kills',
                5_000,
              )
            : undefined;
        const busListening = (app.bus as PostgresEventBus).connected;
        if (message?.status === 201 && busListening) recoveredAfterMs = Date.now() - killsStopped;
        else {
          lastProblem = `healthz ${health?.status ?? 'hung'}, session ${session?.status}, message ${message?.status}, bus ${busListening}`;
          await sleep(100);
        }
      }
      await Promise.all(writing);

      const answered = outcomes.filter((o) => 'status' in o);
      const acknowledged = answered.filter((o) => o.status === 201);
      const refused = answered.filter((o) => o.status !== 201);
      console.info(
        `database kills: ${rounds} rounds, ${killed} backends killed in ${KILLS_MS} ms; ` +
          `${acknowledged.length} messages acknowledged (201), ${refused.length} refused ` +
          `(${[...new Set(refused.map((o) => o.status))].join(', ') || 'none'}); ` +
          `slowest answer ${Math.max(...answered.map((o) => o.ms))} ms; ` +
          `/healthz during the kills: ${healthChecks.filter((c) => c !== 'hung' && c.status === 200).length} × 200, ` +
          `${healthChecks.filter((c) => c !== 'hung' && c.status === 503).length} × 503, ` +
          `slowest ${Math.max(...healthChecks.map((c) => (c === 'hung' ? Infinity : c.ms)))} ms; ` +
          `recovered ${recoveredAfterMs ?? '(not)'} ms after the kills stopped`,
      );

      expect(killed).toBeGreaterThan(10);
      expect(recoveredAfterMs ?? Infinity, `not serving after the kills: ${lastProblem}`).toBeLessThan(
        RECOVERY_MS,
      );
      // Nothing hung, nothing failed outside HTTP.
      expect(outcomes.filter((o) => !('status' in o))).toEqual([]);
      expect(healthChecks.filter((c) => c === 'hung')).toEqual([]);
      expect(healthChecks.every((c) => c !== 'hung' && [200, 503].includes(c.status))).toBe(true);
      // A refusal is the one JSON error shape: 503 service_unavailable with Retry-After, never a 500.
      expect(
        refused.filter((o) => o.status !== 503 || o.code !== 'service_unavailable' || !o.retryAfter),
      ).toEqual([]);
      // Some writes got through, so the check below has something to check. How many depends on the
      // machine (how long a transaction takes against kills every 50–150 ms: 281–393 of ~400 on one
      // machine, 3–6 of ~100 on another): a figure for the log, not a pass mark.
      expect(acknowledged.length).toBeGreaterThan(0);

      // The database holds every acknowledged message and no refused one.
      const reader = new pg.Client({ connectionString: databaseUrl });
      await reader.connect();
      const stored = new Set(
        (await reader.query<{ body: string }>(`select body from messages where body ~ '^w[0-9]+-'`)).rows.map(
          (row) => row.body,
        ),
      );
      await reader.end();
      expect(acknowledged.filter((o) => !stored.has(o.body)).map((o) => o.body)).toEqual([]);
      expect(refused.filter((o) => stored.has(o.body)).map((o) => o.body)).toEqual([]);

      // The delivery worker carries on: every acknowledged message on a claimed ticket reaches Alice
      // (failed deliveries are retried with backoff, so this may take a while after the kills).
      const owed = acknowledged.filter((o) => o.claimed).map((o) => o.body);
      await fake.waitFor(() => owed.every((body) => relayedToAlice().has(body)), { timeoutMs: 120_000 });
      console.info(
        `database kills: all ${owed.length} acknowledged messages of claimed tickets reached the agent ` +
          `${Date.now() - killsStopped} ms after the kills stopped`,
      );
    }, 240_000);
  },
);
