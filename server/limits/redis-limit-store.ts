import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import {
  type BucketRule,
  LEASE_TTL_MS,
  type LimitStore,
  type Release,
  retryAfterSeconds,
} from './limit-store.ts';

/** A check waits this long for Redis; then it fails (and the caller falls back). */
const TIMEOUT_MS = 1_000;
/** At start, how long the first connection is waited for. */
const CONNECT_WAIT_MS = 2_000;

/**
 * A token bucket as one value per key (GCRA: the "theoretical arrival time", in Redis's clock), expiring
 * once the bucket is full again. Returns 0 when allowed, else the milliseconds until a token is back.
 */
const TAKE_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2]) * interval
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local start = math.max(tat, now)
if start + interval - now > burst + 1e-6 then return math.ceil(start + interval - burst - now) end
local after = start + interval
redis.call('SET', KEYS[1], string.format('%.3f', after), 'PX', math.ceil(after - now) + 1000)
return 0`;

/** A cap: live leases in a sorted set by expiry; expired ones are dropped first, so a dead holder's go. */
const ACQUIRE_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1`;
/** Extends held leases (only those still there: one reclaimed meanwhile is not brought back). */
const RENEW_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for i, lease in ipairs(ARGV) do
  if i > 1 then redis.call('ZADD', KEYS[i - 1], 'XX', now + tonumber(ARGV[1]), lease) end
end
for _, key in ipairs(KEYS) do redis.call('PEXPIRE', key, tonumber(ARGV[1])) end
return 0`;

type Commands = Redis & {
  takeToken(key: string, intervalMs: number, capacity: number): Promise<number>;
  acquireLease(key: string, limit: number, lease: string, ttlMs: number): Promise<number>;
};

/**
 * The limits in Redis (REDIS_URL), shared by every instance that uses it. ioredis is loaded only here,
 * and this module only when REDIS_URL is set. The commands of one moment go to Redis together
 * (auto-pipelining), each a script that decides on the server. Commands fail at once while Redis is
 * disconnected (no offline queue) and after a second without an answer, so the caller can fall back.
 * Keys start with `prefix` (tests use their own).
 */
export async function createRedisLimitStore({
  url,
  prefix = 'switchboard:limits:',
  leaseTtlMs = LEASE_TTL_MS,
  onError = () => {},
}: {
  url: string;
  prefix?: string;
  leaseTtlMs?: number;
  onError?: (error: Error) => void;
}): Promise<LimitStore> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, {
    enableAutoPipelining: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: TIMEOUT_MS,
    connectTimeout: TIMEOUT_MS,
    retryStrategy: (times) => Math.min(times * 200, 5_000),
  }) as Commands;
  redis.on('error', onError);
  redis.defineCommand('takeToken', { numberOfKeys: 1, lua: TAKE_LUA });
  redis.defineCommand('acquireLease', { numberOfKeys: 1, lua: ACQUIRE_LUA });
  redis.defineCommand('renewLeases', { lua: RENEW_LUA });
  // A Redis that is not there yet does not stop the start: checks fall back until it answers.
  const ready = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), CONNECT_WAIT_MS);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
  if (!ready) onError(new Error(`Redis did not answer within ${CONNECT_WAIT_MS} ms (REDIS_URL); retrying`));

  /** The leases this instance holds, by lease id: their sorted sets. */
  const held = new Map<string, string>();
  let renewal: NodeJS.Timeout | undefined;
  const renew = () => {
    if (held.size === 0) {
      clearInterval(renewal);
      renewal = undefined;
      return;
    }
    const keys = [...held.values()];
    const leases = [...held.keys()];
    (redis as unknown as { renewLeases(n: number, ...args: (string | number)[]): Promise<number> })
      .renewLeases(keys.length, ...keys, leaseTtlMs, ...leases)
      .catch(onError);
  };

  return {
    kind: 'redis',

    async take(rule: BucketRule, key: string) {
      const intervalMs = 1000 / rule.refillPerSecond;
      const waitMs = await redis.takeToken(`${prefix}bucket:${rule.name}:${key}`, intervalMs, rule.capacity);
      return waitMs > 0 ? retryAfterSeconds(waitMs) : 0;
    },

    async acquire(name: string, key: string, limit: number): Promise<Release | null> {
      const setKey = `${prefix}cap:${name}:${key}`;
      const lease = randomUUID();
      if (!(await redis.acquireLease(setKey, limit, lease, leaseTtlMs))) return null;
      held.set(lease, setKey);
      renewal ??= setInterval(renew, leaseTtlMs / 3).unref();
      return () => {
        if (!held.delete(lease)) return;
        // Should this fail, the lease runs out.
        redis.zrem(setKey, lease).catch(onError);
      };
    },

    async close() {
      clearInterval(renewal);
      renewal = undefined;
      const leases = [...held];
      held.clear();
      await Promise.all(leases.map(([lease, setKey]) => redis.zrem(setKey, lease).catch(onError)));
      redis.disconnect();
    },
  };
}
