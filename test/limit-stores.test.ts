import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrm, migrate } from '../db/orm.ts';
import { withLocalFallback } from '../server/limits/fallback-limit-store.ts';
import type { LimitStore } from '../server/limits/limit-store.ts';
import { createMemoryLimitStore } from '../server/limits/memory-limit-store.ts';
import { createPostgresLimitStore } from '../server/limits/postgres-limit-store.ts';
import { createRedisLimitStore } from '../server/limits/redis-limit-store.ts';
import { createTestDatabase, databaseKind } from './support/database.ts';
import { deleteRedisKeys, redisReachable, TEST_REDIS_URL } from './support/redis.ts';
import { startTcpProxy } from './support/tcp-proxy.ts';
import { eventually } from './support/visitor.ts';

const ROOT = resolve(import.meta.dirname, '..');
const NODE = resolve(ROOT, 'node_modules/.bin/node');
/** Short leases, so that a dead holder's places come back within the test. */
const LEASE_MS = 1500;
/** A bucket that does not refill within a test: what is allowed is exactly its burst. */
const NO_REFILL = { name: 'messages', capacity: 4, refillPerSecond: 0.0001 };
const unique = () => randomBytes(6).toString('hex');

type Backend = {
  kind: 'postgresql' | 'redis';
  url: () => string;
  prefix: string;
  /** A store as one instance has it (by default at `url()`, with leases of LEASE_MS). */
  store: (options?: { url?: string; leaseTtlMs?: number }) => Promise<LimitStore>;
  /** What the store sends to give back a place of the cap key `capKey` contains. */
  releaseMarker: (capKey: string) => string;
  /** The leases stored for the cap key `capKey`, live or run out. */
  leases: (capKey: string) => Promise<number>;
};

/** A process holding every place of a cap until it is killed. */
async function startHolder(
  backend: Pick<Backend, 'kind' | 'url' | 'prefix'>,
  cap: string,
  key: string,
  limit: number,
) {
  const child = spawn(
    NODE,
    [
      'test/support/limit-holder.ts',
      backend.kind,
      backend.url(),
      backend.prefix,
      cap,
      key,
      String(limit),
      String(LEASE_MS),
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  await eventually(async () => output.includes('held'), 30_000);
  return child;
}

const exited = (child: ChildProcess) =>
  new Promise<void>((done) => (child.exitCode !== null ? done() : child.once('exit', () => done())));

/** What every shared store must do: share buckets and caps between instances, and survive a dead holder. */
function sharedStoreContract(backend: Backend) {
  let a: LimitStore;
  let b: LimitStore;
  beforeAll(async () => {
    a = await backend.store();
    b = await backend.store();
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('two instances share a token bucket: hits split over both stop at the limit, not twice', async () => {
    const key = `session:${unique()}`;
    const answers = [];
    for (let n = 0; n < 6; n += 1) answers.push(await (n % 2 ? b : a).take(NO_REFILL, key));
    expect(answers.slice(0, 4)).toEqual([0, 0, 0, 0]);
    for (const wait of answers.slice(4)) expect(wait).toBeGreaterThanOrEqual(1);

    // At once, as a flood arrives: several hits of one key in one batch, both instances.
    const flood = `session:${unique()}`;
    const all = await Promise.all(
      Array.from({ length: 10 }, (_, n) => (n % 2 ? b : a).take(NO_REFILL, flood)),
    );
    expect(all.filter((wait) => wait === 0)).toHaveLength(4);
  });

  it('a refused hit is told the whole seconds until a token is back', async () => {
    const rule = { name: 'messages', capacity: 1, refillPerSecond: 0.5 };
    const key = `session:${unique()}`;
    expect(await a.take(rule, key)).toBe(0);
    const wait = await b.take(rule, key);
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(2);
  });

  it("a cap's places taken on one instance count on the other, and come back when released", async () => {
    const key = `ip:${unique()}`;
    const first = await a.acquire('uploads-ip', key, 2);
    const second = await b.acquire('uploads-ip', key, 2);
    expect(first).not.toBeNull();
    expect(second).not.toBeNull();
    expect(await a.acquire('uploads-ip', key, 2)).toBeNull();
    expect(await b.acquire('uploads-ip', key, 2)).toBeNull();
    first?.();
    first?.(); // once only
    const third = await eventually(async () => b.acquire('uploads-ip', key, 2));
    expect(await a.acquire('uploads-ip', key, 2)).toBeNull();
    second?.();
    third?.();
  });

  it("a holder killed with kill -9 gives its places back within the lease's time; a live one keeps them", async () => {
    const key = `ip:${unique()}`;
    const holder = await startHolder(backend, 'streams-ip', key, 2);
    try {
      expect(await a.acquire('streams-ip', key, 2)).toBeNull();
      // Longer than two leases: the live holder renews them.
      await new Promise((done) => setTimeout(done, 2.5 * LEASE_MS));
      expect(await a.acquire('streams-ip', key, 2)).toBeNull();
    } finally {
      holder.kill('SIGKILL');
      await exited(holder);
    }
    const place = await eventually(async () => a.acquire('streams-ip', key, 2), 4 * LEASE_MS + 5_000);
    expect(await b.acquire('streams-ip', key, 2)).not.toBeNull();
    expect(await b.acquire('streams-ip', key, 2)).toBeNull();
    place();
  }, 60_000);

  it("a place whose release failed is no longer renewed: it comes back within its lease's time, while the instance's other places stay held", async () => {
    const leaseMs = 3000;
    const proxy = await startTcpProxy(backend.url());
    const store = await backend.store({ url: proxy.via(backend.url()), leaseTtlMs: leaseMs });
    try {
      const failing = `ip:${unique()}`;
      const kept = `ip:${unique()}`;
      const place = await store.acquire('streams-ip', failing, 1);
      const other = await store.acquire('streams-ip', kept, 1);
      const since = Date.now();
      expect(place).not.toBeNull();
      expect(other).not.toBeNull();

      // The release is cut off on its way: the store never gets it.
      const dropped = proxy.dropNext(backend.releaseMarker(`streams-ip:${failing}`));
      place?.();
      await dropped;
      expect(await backend.leases(`streams-ip:${failing}`)).toBe(1);

      // Its lease is not renewed any more: it runs out, and the place comes back.
      const back = await eventually(async () => a.acquire('streams-ip', failing, 1), 4 * leaseMs + 5_000);
      back();
      // The instance's other place is renewed all along: still held after more than two leases' time.
      await new Promise((done) => setTimeout(done, since + 2.5 * leaseMs - Date.now()));
      expect(await a.acquire('streams-ip', kept, 1)).toBeNull();
      other?.();
    } finally {
      await store.close();
      await proxy.close();
    }
  }, 60_000);
}

/** A new PostgreSQL database with the limits' tables (every migration applied). */
async function migratedPostgresDatabase() {
  const database = await createTestDatabase();
  const orm = await createOrm(database.options);
  await migrate(orm);
  await orm.close();
  return { url: database.options.kind === 'postgresql' ? database.options.url : '', drop: database.drop };
}

describe.skipIf(databaseKind !== 'postgresql')('limits in PostgreSQL', () => {
  let url = '';
  let drop: () => Promise<void> = async () => {};
  beforeAll(async () => {
    ({ url, drop } = await migratedPostgresDatabase());
  }, 60_000);
  afterAll(async () => drop());

  sharedStoreContract({
    kind: 'postgresql',
    url: () => url,
    prefix: '',
    store: async (options = {}) =>
      createPostgresLimitStore({ url: options.url ?? url, leaseTtlMs: options.leaseTtlMs ?? LEASE_MS }),
    releaseMarker: () => 'delete from visitor_limit_leases where lease',
    leases: async (capKey) => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const { rows } = await client.query(
          'select count(*)::int as n from visitor_limit_leases where key = $1',
          [capKey],
        );
        return Number(rows[0]?.n);
      } finally {
        await client.end();
      }
    },
  });
});

describe.skipIf(databaseKind !== 'postgresql')('limits in PostgreSQL: the sweep', () => {
  let url = '';
  let drop: () => Promise<void> = async () => {};
  beforeAll(async () => {
    ({ url, drop } = await migratedPostgresDatabase());
  }, 60_000);
  afterAll(async () => drop());

  it("forgets full buckets and a dead holder's leases, and counts its places back", async () => {
    const backend = { kind: 'postgresql', url: () => url, prefix: '' } as const;
    const key = `ip:${unique()}`;
    const holder = await startHolder(backend, 'uploads-ip', key, 3);
    holder.kill('SIGKILL');
    await exited(holder);
    const sweeping = createPostgresLimitStore({ url, leaseTtlMs: LEASE_MS, sweepEveryMs: 0 });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const count = async (sql: string) => Number((await client.query(sql)).rows[0]?.count);
      expect(await count(`select count(*) from visitor_limit_leases where key = 'uploads-ip:${key}'`)).toBe(
        3,
      );
      // A bucket that is full again by now (it refills 1,000 a second).
      await sweeping.take({ name: 'messages', capacity: 1, refillPerSecond: 1000 }, `session:${unique()}`);
      await eventually(
        async () => {
          await sweeping.take({ name: 'messages', capacity: 1, refillPerSecond: 1000 }, 'session:sweeper');
          return (
            (await count(`select count(*) from visitor_limit_leases where key = 'uploads-ip:${key}'`)) ===
              0 &&
            (await count(`select count(*) from visitor_limit_caps where key = 'uploads-ip:${key}'`)) === 0 &&
            (await count(`select count(*) from visitor_limit_buckets`)) <= 1
          );
        },
        4 * LEASE_MS + 5_000,
      );
    } finally {
      await client.end();
      await sweeping.close();
    }
  }, 60_000);
});

const redisUp = await redisReachable();
describe.skipIf(!redisUp)(`limits in Redis (${TEST_REDIS_URL}; skipped when not reachable)`, () => {
  const prefix = `switchboard-test:${unique()}:`;
  afterAll(async () => deleteRedisKeys(prefix));

  sharedStoreContract({
    kind: 'redis',
    url: () => TEST_REDIS_URL,
    prefix,
    store: (options = {}) =>
      createRedisLimitStore({
        url: options.url ?? TEST_REDIS_URL,
        prefix,
        leaseTtlMs: options.leaseTtlMs ?? LEASE_MS,
      }),
    releaseMarker: (capKey) => `${prefix}cap:${capKey}`,
    leases: async (capKey) => {
      const { Redis } = await import('ioredis');
      const redis = new Redis(TEST_REDIS_URL);
      try {
        return await redis.zcard(`${prefix}cap:${capKey}`);
      } finally {
        redis.disconnect();
      }
    },
  });
});

describe('a shared store that fails', () => {
  const fallingBack = (shared: LimitStore) => {
    const warnings: string[] = [];
    let fallbacks = 0;
    const store = withLocalFallback(shared, createMemoryLimitStore(), {
      warn: (_error, message) => warnings.push(message),
      onFallback: () => {
        fallbacks += 1;
      },
    });
    return { store, warnings, fallbacks: () => fallbacks };
  };

  const limitsLocally = async (shared: LimitStore) => {
    const { store, warnings, fallbacks } = fallingBack(shared);
    try {
      const answers = [];
      for (let n = 0; n < 5; n += 1) answers.push(await store.take(NO_REFILL, 'session:one'));
      // Still limited, by this instance alone; never an error.
      expect(answers.slice(0, 4)).toEqual([0, 0, 0, 0]);
      expect(answers[4]).toBeGreaterThanOrEqual(1);
      const places = [
        await store.acquire('uploads-ip', 'ip:x', 1),
        await store.acquire('uploads-ip', 'ip:x', 1),
      ];
      expect(places[0]).not.toBeNull();
      expect(places[1]).toBeNull();
      expect(fallbacks()).toBe(7);
      // One warning, not one per request.
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(`the ${shared.kind} store failed`);
    } finally {
      await store.close();
    }
  };

  it('PostgreSQL unreachable: checks fall back to this instance’s limits, with one warning', async () => {
    await limitsLocally(createPostgresLimitStore({ url: 'postgres://postgres@127.0.0.1:1/none' }));
  });

  it('Redis unreachable: the same', async () => {
    await limitsLocally(await createRedisLimitStore({ url: 'redis://127.0.0.1:1' }));
  }, 20_000);
});
