import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createGroupCommit } from '../../core/group-commit.ts';
import {
  type BucketRule,
  LEASE_TTL_MS,
  type LimitStore,
  type Release,
  retryAfterSeconds,
} from './limit-store.ts';

/** Full buckets and free caps are forgotten at most this often, and only after some traffic. */
const SWEEP_EVERY_MS = 10 * 60_000;
/** A check waits this long for a connection or an answer; then it fails (and the caller falls back). */
const TIMEOUT_MS = 1_000;

type Hit = { key: string; intervalMs: number; capacity: number };
type Decision = { key: string; granted: number; ahead_ms: number };

/**
 * Token buckets (GCRA: one "theoretical arrival time" per key, in the database's clock, so instances
 * with skewed clocks agree) for every instance's hits in one row per key. The hits of one moment go in
 * one statement (group commit: while one is in flight the next ones gather), so a visitor message does
 * not cost a statement of its own under load. Same-key hits of a batch are one row: `requested` of them,
 * `granted` as many as the bucket has tokens for, decided on the row's latest version under its lock.
 */
const TAKE_SQL = `
insert into visitor_limit_buckets as b (key, requested, granted, interval_ms, capacity, tat)
select i.key, i.n, least(i.n, i.capacity), i.interval_ms, i.capacity,
       extract(epoch from now()) * 1000 + least(i.n, i.capacity) * i.interval_ms
from unnest($1::text[], $2::int[], $3::float8[], $4::int[]) as i(key, n, interval_ms, capacity)
on conflict (key) do update set
  requested = excluded.requested, interval_ms = excluded.interval_ms, capacity = excluded.capacity,
  granted = greatest(0, least(excluded.requested, floor(
    (extract(epoch from now()) * 1000 + excluded.capacity * excluded.interval_ms
      - greatest(b.tat, extract(epoch from now()) * 1000)) / excluded.interval_ms + 1e-9)))::int,
  tat = greatest(b.tat, extract(epoch from now()) * 1000) + excluded.interval_ms * greatest(0, least(
    excluded.requested, floor(
    (extract(epoch from now()) * 1000 + excluded.capacity * excluded.interval_ms
      - greatest(b.tat, extract(epoch from now()) * 1000)) / excluded.interval_ms + 1e-9)))
returning key, granted, tat - extract(epoch from now()) * 1000 as ahead_ms`;

/**
 * A place: the key's counter goes up only while under the limit (the row's lock orders instances), and
 * the lease that stands for it is written in the same statement. Giving it back deletes the lease and
 * counts down, together; leases whose holder stopped renewing them are reclaimed the same way when the
 * key is found full.
 */
const ACQUIRE_SQL = `
with counted as (
  insert into visitor_limit_caps as c (key, taken) values ($1, 1)
  on conflict (key) do update set taken = c.taken + 1 where c.taken < $2
  returning key)
insert into visitor_limit_leases (lease, key, holder, expires_at)
select $3::uuid, key, $4, now() + make_interval(secs => $5::float8 / 1000) from counted
returning lease`;
const RELEASE_SQL = `
with ended as (delete from visitor_limit_leases where lease = $1::uuid returning key)
update visitor_limit_caps c set taken = greatest(0, c.taken - 1) from ended where c.key = ended.key`;
const RECLAIM_SQL = `
with dead as (delete from visitor_limit_leases where key = $1 and expires_at < now() returning key)
update visitor_limit_caps c set taken = greatest(0, c.taken - (select count(*) from dead))
where c.key = $1 and exists (select 1 from dead)
returning c.taken`;
/**
 * Renews the leases this instance holds, by id: a lease it no longer counts (its release failed, or an
 * acquire that timed out here after the database committed it) is not kept alive, so it runs out.
 */
const RENEW_SQL = `update visitor_limit_leases set expires_at = now() + make_interval(secs => $2::float8 / 1000)
where lease = any($1::uuid[])`;
/** Full buckets, leases whose holder died (their caps counted down) and caps with nothing taken. */
const SWEEP_SQL = `
with full_buckets as (delete from visitor_limit_buckets where tat < extract(epoch from now()) * 1000 returning 1),
     dead as (delete from visitor_limit_leases where expires_at < now() returning key),
     counts as (select key, count(*) as n from dead group by key),
     reclaimed as (update visitor_limit_caps c set taken = greatest(0, c.taken - counts.n) from counts
                   where c.key = counts.key returning 1),
     free_caps as (delete from visitor_limit_caps where taken = 0 and key not in (select key from counts) returning 1)
select (select count(*) from full_buckets) + (select count(*) from reclaimed) + (select count(*) from free_caps) as removed`;

/**
 * The limits in PostgreSQL, shared by every instance on the database (tables of the migration
 * `Migration20261201160000_shared_limits`, unlogged: limits need no crash safety, and their writes
 * skip the WAL). A pool of its own, small and with short timeouts, so that limits never wait behind
 * the ORM's queries and a database that does not answer fails the check in about a second.
 */
export function createPostgresLimitStore({
  url,
  leaseTtlMs = LEASE_TTL_MS,
  sweepEveryMs = SWEEP_EVERY_MS,
  onError = () => {},
}: {
  url: string;
  leaseTtlMs?: number;
  /** How often at most the store forgets what is no longer needed (after some traffic). */
  sweepEveryMs?: number;
  /** An idle connection's failure (the pool reconnects on next use). */
  onError?: (error: Error) => void;
}): LimitStore {
  const pool = new pg.Pool({
    connectionString: url,
    max: 2,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: TIMEOUT_MS,
    query_timeout: TIMEOUT_MS,
    application_name: 'switchboard-limits',
  });
  pool.on('error', onError);
  const holder = randomUUID();
  /** The leases this instance holds (the renewal keeps exactly these). */
  const held = new Set<string>();
  let renewal: NodeJS.Timeout | undefined;
  let lastSweep = Date.now();
  /** Per cap key, the latest release in flight. */
  const releasing = new Map<string, Promise<void>>();

  const takeBatch = createGroupCommit<Hit, Decision>(async (hits) => {
    // One row per key, in key order (instances lock rows in the same order: no deadlock between them).
    const byKey = new Map<string, Hit & { n: number }>();
    for (const hit of hits) {
      const known = byKey.get(hit.key);
      if (known) known.n += 1;
      else byKey.set(hit.key, { ...hit, n: 1 });
    }
    const rows = [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const result = await pool.query<Decision>(TAKE_SQL, [
      rows.map((row) => row.key),
      rows.map((row) => row.n),
      rows.map((row) => row.intervalMs),
      rows.map((row) => row.capacity),
    ]);
    const decided = new Map(result.rows.map((row) => [row.key, { ...row, given: 0 }]));
    // The first `granted` hits of a key are allowed; each gets its own decision.
    return hits.map((hit) => {
      const decision = decided.get(hit.key) as Decision & { given: number };
      const allowed = decision.given < decision.granted;
      decision.given += 1;
      return { key: hit.key, granted: allowed ? 1 : 0, ahead_ms: Number(decision.ahead_ms) };
    });
  });

  const sweepNow = () => {
    if (Date.now() - lastSweep < sweepEveryMs) return;
    lastSweep = Date.now();
    pool.query(SWEEP_SQL).catch(onError);
  };

  const renew = () => {
    if (held.size === 0) {
      clearInterval(renewal);
      renewal = undefined;
      return;
    }
    pool.query(RENEW_SQL, [[...held], leaseTtlMs]).catch(onError);
  };

  const tryAcquire = async (key: string, limit: number) => {
    const lease = randomUUID();
    const result = await pool.query(ACQUIRE_SQL, [key, limit, lease, holder, leaseTtlMs]);
    return result.rowCount ? lease : null;
  };

  return {
    kind: 'postgresql',

    async take(rule: BucketRule, key: string) {
      const intervalMs = 1000 / rule.refillPerSecond;
      const decision = await takeBatch.submit({
        key: `${rule.name}:${key}`,
        intervalMs,
        capacity: rule.capacity,
      });
      sweepNow();
      if (decision.granted) return 0;
      // The next token is back once the arrival time is within the bucket's burst again.
      return retryAfterSeconds(decision.ahead_ms + intervalMs - rule.capacity * intervalMs);
    },

    async acquire(name: string, key: string, limit: number): Promise<Release | null> {
      const capKey = `${name}:${key}`;
      // A place this instance is giving back is back before it asks for one (its own order holds).
      await releasing.get(capKey);
      let lease = await tryAcquire(capKey, limit);
      if (!lease) {
        // Full: the places of a holder that stopped renewing (it died) come back, then one more try.
        const reclaimed = await pool.query(RECLAIM_SQL, [capKey]);
        if (reclaimed.rowCount) lease = await tryAcquire(capKey, limit);
      }
      if (!lease) return null;
      const heldLease = lease;
      held.add(heldLease);
      renewal ??= setInterval(renew, leaseTtlMs / 3).unref();
      let released = false;
      return () => {
        if (released) return;
        released = true;
        held.delete(heldLease);
        // Should this fail, the lease is no longer renewed: it runs out and is reclaimed.
        const done = Promise.all([releasing.get(capKey), pool.query(RELEASE_SQL, [heldLease])])
          .then(() => {}, onError)
          .finally(() => {
            if (releasing.get(capKey) === done) releasing.delete(capKey);
          });
        releasing.set(capKey, done);
      };
    },

    async close() {
      clearInterval(renewal);
      renewal = undefined;
      // What this instance still holds is given back now rather than when the leases run out.
      await pool
        .query(
          `with ended as (delete from visitor_limit_leases where holder = $1 returning key),
                counts as (select key, count(*) as n from ended group by key)
           update visitor_limit_caps c set taken = greatest(0, c.taken - counts.n) from counts where c.key = counts.key`,
          [holder],
        )
        .catch(onError);
      await pool.end();
    },
  };
}
