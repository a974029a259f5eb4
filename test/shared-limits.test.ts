import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, databaseKind } from './support/database.ts';
import { deleteRedisKeys, redisReachable, TEST_REDIS_URL } from './support/redis.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { eventually } from './support/visitor.ts';

const LIMITS = {
  TRUST_PROXY: 'true',
  // No refill within a test: exactly the burst is allowed.
  RATE_LIMIT_MESSAGES: '4',
  RATE_LIMIT_WINDOW_SECONDS: '3600',
  RATE_LIMIT_SESSIONS: '3',
  RATE_LIMIT_SESSIONS_WINDOW_SECONDS: '3600',
  EVENT_STREAMS_PER_IP: '2',
};
/** A client address of this run only (a shared store remembers addresses across runs). */
const newAddress = () => `2001:db8::${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}`;

async function newSession(baseUrl: string, address: string) {
  const response = await fetch(`${baseUrl}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
    body: '{}',
  });
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    session:
      response.status === 201
        ? ((await response.json()) as { session_id: string; access_token: string })
        : null,
  };
}

async function say(baseUrl: string, session: { session_id: string; access_token: string }, body: string) {
  const response = await fetch(`${baseUrl}/api/session/${session.session_id}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${session.access_token}` },
    body: JSON.stringify({ body }),
  });
  await response.body?.cancel();
  return { status: response.status, retryAfter: response.headers.get('retry-after') };
}

async function openStream(
  baseUrl: string,
  session: { session_id: string; access_token: string },
  address: string,
) {
  const controller = new AbortController();
  const response = await fetch(`${baseUrl}/api/session/${session.session_id}/events`, {
    headers: { authorization: `Bearer ${session.access_token}`, 'x-forwarded-for': address },
    signal: controller.signal,
  });
  if (response.status !== 200) await response.body?.cancel();
  return {
    status: response.status,
    close: () => controller.abort(),
  };
}

/** Two instances on one PostgreSQL database with `env`; `where` says where a session's limit lives. */
function twoInstances(
  label: string,
  env: Record<string, string>,
  where: (a: TestApp, sessionId: string) => Promise<boolean>,
) {
  describe(label, () => {
    let a: TestApp;
    let b: TestApp;
    let drop: () => Promise<void> = async () => {};

    beforeAll(async () => {
      const database = await createTestDatabase();
      drop = database.drop;
      a = await startTestApp({ ...LIMITS, ...env }, { database: database.options });
      b = await startTestApp({ ...LIMITS, ...env }, { database: database.options });
    }, 90_000);

    afterAll(async () => {
      await a?.close();
      await b?.close();
      await drop();
    });

    it('the message limit of a session holds over both: hits split between them reach 429 at the limit, not twice', async () => {
      const { session } = await newSession(a.url, newAddress());
      if (!session) throw new Error('no session');
      const answers = [];
      for (let n = 0; n < 6; n += 1) answers.push(await say(n % 2 ? b.url : a.url, session, `message ${n}`));
      expect(answers.map((answer) => answer.status)).toEqual([201, 201, 201, 201, 429, 429]);
      expect(answers[5]?.retryAfter).toMatch(/^[1-9]\d*$/);
      expect(await where(a, session.session_id)).toBe(true);
    });

    it('new sessions per address hold over both: the limit is reached at the limit, not twice', async () => {
      const address = newAddress();
      const answers = [];
      for (let n = 0; n < 5; n += 1) answers.push(await newSession(n % 2 ? b.url : a.url, address));
      expect(answers.map((answer) => answer.status)).toEqual([201, 201, 201, 429, 429]);
      expect(answers[4]?.retryAfter).toMatch(/^[1-9]\d*$/);
      // Another address is not affected.
      expect((await newSession(b.url, newAddress())).status).toBe(201);
    });

    it('event streams per address are counted over both instances, and a place comes back when one ends', async () => {
      const address = newAddress();
      const sessions = await Promise.all(
        [1, 2, 3].map(async () => (await newSession(a.url, newAddress())).session),
      );
      const [s1, s2, s3] = sessions as [
        NonNullable<(typeof sessions)[0]>,
        NonNullable<(typeof sessions)[0]>,
        NonNullable<(typeof sessions)[0]>,
      ];
      const first = await openStream(a.url, s1, address);
      const second = await openStream(b.url, s2, address);
      expect([first.status, second.status]).toEqual([200, 200]);
      const refused = await openStream(a.url, s3, address);
      expect(refused.status).toBe(429);

      second.close();
      const admitted = await eventually(async () => {
        const attempt = await openStream(a.url, s3, address);
        if (attempt.status === 200) return attempt;
        return null;
      });
      admitted.close();
      first.close();
    });
  });
}

const redisUp = await redisReachable();

describe.skipIf(databaseKind !== 'postgresql')(
  'visitor limits shared by two instances on one PostgreSQL',
  () => {
    twoInstances('in PostgreSQL', {}, async (app, sessionId) => {
      const rows = await app.orm.em
        .getConnection()
        .execute<{ count: number }[]>(
          `select count(*)::int as count from visitor_limit_buckets where key = 'messages:session:${sessionId}'`,
        );
      return rows[0]?.count === 1;
    });

    describe.skipIf(!redisUp)(`with REDIS_URL (${TEST_REDIS_URL}; skipped when not reachable)`, () => {
      const sessionIds: string[] = [];
      afterAll(async () => {
        // Only this run's keys: its sessions' and addresses' (which are of this run only).
        for (const id of sessionIds)
          await deleteRedisKeys(`switchboard:limits:bucket:messages:session:${id}`);
        await deleteRedisKeys('switchboard:limits:bucket:sessions:ip:2001:db8::');
        await deleteRedisKeys('switchboard:limits:cap:streams-ip:2001:db8::');
      });
      twoInstances('in Redis', { REDIS_URL: TEST_REDIS_URL }, async (app, sessionId) => {
        sessionIds.push(sessionId);
        const { Redis } = await import('ioredis');
        const redis = new Redis(TEST_REDIS_URL);
        try {
          const inRedis = await redis.exists(`switchboard:limits:bucket:messages:session:${sessionId}`);
          const rows = await app.orm.em
            .getConnection()
            .execute<{ count: number }[]>(`select count(*)::int as count from visitor_limit_buckets`);
          return inRedis === 1 && rows[0]?.count === 0;
        } finally {
          redis.disconnect();
        }
      });
    });
  },
);

describe(`the shared store down (${databaseKind})`, () => {
  let app: TestApp;
  const METRICS_TOKEN = 'metrics-token-0123456789';

  beforeAll(async () => {
    // Nothing listens on port 1: every check fails at once.
    app = await startTestApp({ ...LIMITS, REDIS_URL: 'redis://127.0.0.1:1', METRICS_TOKEN });
  }, 60_000);
  afterAll(async () => app?.close());

  it('visitor requests are limited by the instance alone, never answered 5xx; the fallbacks are counted', async () => {
    const { status, session } = await newSession(app.url, newAddress());
    expect(status).toBe(201);
    if (!session) throw new Error('no session');
    const answers = [];
    for (let n = 0; n < 5; n += 1) answers.push((await say(app.url, session, `message ${n}`)).status);
    expect(answers).toEqual([201, 201, 201, 201, 429]);

    const metrics = await (
      await fetch(`${app.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
    ).text();
    const fallbacks = Number(/^switchboard_limit_store_fallbacks_total (\d+)/m.exec(metrics)?.[1]);
    expect(fallbacks).toBeGreaterThanOrEqual(6);
  });
});
