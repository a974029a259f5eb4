import pg from 'pg';

/** A lock this instance holds until `lost` resolves (its connection dropped) or it calls `release`. */
export type HeldLock = {
  /** Resolves when the lock may be gone without a `release` (the connection that held it dropped). */
  lost: Promise<void>;
  release(): Promise<void>;
};

/** A lock at most one instance holds at a time, for work only one of them may do (polling Telegram). */
export type ExclusiveLock = {
  /** The lock, or undefined when another instance holds it; rejects when it cannot be asked (no database). */
  acquire(): Promise<HeldLock | undefined>;
  /** Releases the lock if held and closes its connection. */
  close(): Promise<void>;
};

/** A held lock's connection proves alive this often (a vanished server or network is noticed). */
const HEARTBEAT_MS = 30_000;
/** A statement on the lock's connection that gets no answer within this ends the connection. */
const QUERY_TIMEOUT_MS = 10_000;
const CONNECT_TIMEOUT_MS = 5_000;
/**
 * The server's keep-alive on the lock's connection (seconds): when the holder's host vanishes without
 * closing it (power loss, network gone), the server ends its session, which frees the lock, in
 * about idle + interval × count seconds instead of the operating system's default of hours.
 */
const SERVER_KEEPALIVE = { idle: 10, interval: 5, count: 3 };

/**
 * The one instance on an embedded (PGlite) database: its data-directory lock already keeps any other
 * process out, so the lock is simply taken, and never lost.
 */
export const soleInstanceLock: ExclusiveLock = {
  acquire: async () => ({ lost: new Promise<void>(() => {}), release: async () => {} }),
  close: async () => {},
};

/**
 * A PostgreSQL session-level advisory lock on its own connection: whoever's session holds `key` holds
 * the lock; it is freed when that session ends, so when the holder dies (even by `kill -9`, its
 * connection closes) another instance's next `acquire` gets it. Losing the connection is losing the
 * lock: `lost` resolves at once. A held connection runs `select 1` every HEARTBEAT_MS, bounded, so a
 * connection that silently stopped answering counts as lost too. Between attempts the connection stays
 * open (one idle connection per instance; each attempt is one statement).
 */
export function createAdvisoryLock({
  url,
  key,
  applicationName,
}: {
  url: string;
  /** The advisory lock's number (64-bit): one per kind of exclusive work. */
  key: bigint;
  /** How the lock's connection shows in pg_stat_activity. */
  applicationName: string;
}): ExclusiveLock {
  let client: pg.Client | undefined;
  /** Resolves the current connection's `lost`. */
  let dropped = () => {};

  const drop = (target: pg.Client) => {
    if (client !== target) return;
    client = undefined;
    dropped();
    target.end().catch(() => {});
  };

  const connect = async () => {
    const next = new pg.Client({
      connectionString: url,
      application_name: applicationName,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      query_timeout: QUERY_TIMEOUT_MS,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    next.on('error', () => drop(next));
    next.on('end', () => drop(next));
    try {
      await next.connect();
      const { idle, interval, count } = SERVER_KEEPALIVE;
      // Ignored (no error) on a Unix-socket connection, where the server sees a closed peer at once.
      await next.query(
        `set tcp_keepalives_idle = ${idle}; set tcp_keepalives_interval = ${interval}; set tcp_keepalives_count = ${count}`,
      );
    } catch (error) {
      next.removeAllListeners();
      next.on('error', () => {});
      await next.end().catch(() => {});
      throw error;
    }
    client = next;
    return next;
  };

  return {
    async acquire() {
      const target = client ?? (await connect());
      let taken: boolean;
      try {
        const { rows } = await target.query<{ taken: boolean }>('select pg_try_advisory_lock($1) as taken', [
          key.toString(),
        ]);
        taken = rows[0]?.taken === true;
      } catch (error) {
        drop(target);
        throw error;
      }
      if (!taken) return undefined;
      if (client !== target) return undefined; // dropped while answering: the session (and lock) is gone
      const lost = new Promise<void>((resolve) => {
        dropped = resolve;
      });
      const heartbeat = setInterval(() => {
        target.query('select 1').catch(() => drop(target));
      }, HEARTBEAT_MS);
      heartbeat.unref();
      void lost.then(() => clearInterval(heartbeat));
      return {
        lost,
        // Ending the session frees the lock; the next attempt opens a new connection.
        release: async () => {
          clearInterval(heartbeat);
          drop(target);
        },
      };
    },

    async close() {
      if (client) drop(client);
    },
  };
}
