import type pg from 'pg';

/**
 * A statement that opens or ends a transaction, as Kysely (under MikroORM) sends them: `begin` /
 * `start transaction …`, `commit`, `rollback` — not `rollback to <savepoint>`, which runs inside a
 * transaction whose own `rollback` follows when it fails.
 */
const TRANSACTION_CONTROL = /^\s*(begin|start\s+transaction|commit|rollback(?!\s+to\b))\b/i;

/**
 * Makes the pool destroy a connection whose transaction control failed, instead of losing it.
 *
 * Kysely's controlled transactions (MikroORM's `em.transactional`) give their pooled connection back
 * only when BEGIN succeeded and then COMMIT or ROLLBACK succeeded. A backend that dies at the wrong
 * moment (killed, restarted, network cut) makes one of those fail, and that connection stays checked
 * out forever: after a few such failures every slot of the pool is taken and every query waits.
 *
 * Here every pooled client reports a failed transaction-control statement to the pool itself: the
 * client is released with the error, so the pool closes it and frees its slot (a broken or
 * mid-transaction connection is never handed out again). Its `release` then becomes a no-op, so a
 * caller that releases it afterwards cannot trip pg-pool's double-release error. Install it with
 * `driverOptions.onPoolCreated` (see db/orm.ts).
 */
export function guardTransactionControl(pool: pg.Pool): void {
  /** Clients handed out right now: only those may be released. */
  const checkedOut = new WeakSet<pg.PoolClient>();
  pool.on('acquire', (client) => checkedOut.add(client));
  pool.on('release', (_error, client) => checkedOut.delete(client as pg.PoolClient));

  const discard = (client: pg.PoolClient, error: unknown) => {
    if (!checkedOut.has(client)) return;
    const release = client.release;
    client.release = () => {};
    release(error instanceof Error ? error : new Error(String(error)));
  };

  // 'connect' is emitted once per new client, before it is first handed out.
  pool.on('connect', (client) => {
    const pooled = client as pg.PoolClient;
    const query = pooled.query as (...args: unknown[]) => unknown;
    (pooled as { query: unknown }).query = (...args: unknown[]) => {
      const result = query.apply(pooled, args);
      const first = args[0] as string | { text?: unknown } | undefined;
      const text = typeof first === 'string' ? first : first?.text;
      if (result instanceof Promise && typeof text === 'string' && TRANSACTION_CONTROL.test(text)) {
        // Registered before the caller awaits the result, so the slot is freed before the caller
        // reacts to the failure (e.g. with a ROLLBACK, which then fails at once on the closed client).
        result.catch((error: unknown) => discard(pooled, error));
      }
      return result;
    };
  });
}
