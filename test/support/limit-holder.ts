/**
 * A process that takes every place of a cap in a shared limit store and holds them (renewing its
 * leases) until it is killed: what an instance with uploads or streams in progress is, to `kill -9`.
 *   node test/support/limit-holder.ts <postgresql|redis> <url> <prefix> <cap> <key> <limit> <lease ms>
 */
import { createPostgresLimitStore } from '../../server/limits/postgres-limit-store.ts';
import { createRedisLimitStore } from '../../server/limits/redis-limit-store.ts';

const [kind, url, prefix, cap, key, limit, leaseMs] = process.argv.slice(2) as string[];
const leaseTtlMs = Number(leaseMs);
const store =
  kind === 'redis'
    ? await createRedisLimitStore({ url: url as string, prefix, leaseTtlMs })
    : createPostgresLimitStore({ url: url as string, leaseTtlMs });
for (let taken = 0; taken < Number(limit); taken += 1) {
  if (!(await store.acquire(cap as string, key as string, Number(limit)))) {
    process.stdout.write('full\n');
    process.exit(1);
  }
}
process.stdout.write('held\n');
// Lives until killed (the renewals' timer does not hold the process).
setInterval(() => {}, 60_000);
