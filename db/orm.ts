import { mkdirSync, readFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { MikroORM } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { PgliteConnection, MikroORM as PgliteMikroORM } from '@mikro-orm/pglite';
import {
  type AbstractSqlDriver,
  PostgreSqlConnection,
  MikroORM as PostgreSqlMikroORM,
  type SqlEntityManager,
} from '@mikro-orm/postgresql';
import { lockDataDirectory } from './data-dir-lock.ts';
import { entities } from './entities/index.ts';
import { migrationsList } from './migrations/index.ts';
import { findTemplateArchive, seedDataDirectory } from './pglite-template.ts';
import { guardTransactionControl } from './transaction-control-guard.ts';

/** The ORM on either driver: both speak PostgreSQL through the same SQL layer. */
export type Orm = MikroORM<AbstractSqlDriver, EntityManager>;
export type EntityManager = SqlEntityManager<AbstractSqlDriver>;

export type DatabaseOptions =
  /** PostgreSQL server. */
  | { kind: 'postgresql'; url: string }
  /** Embedded PGlite persisted in `dataDir`, or in memory when `dataDir` is `memory://`. */
  | { kind: 'pglite'; dataDir: string };

export function databaseOptions(config: { databaseUrl?: string; dataDir: string }): DatabaseOptions {
  return config.databaseUrl
    ? { kind: 'postgresql', url: config.databaseUrl }
    : { kind: 'pglite', dataDir: `${config.dataDir.replace(/\/+$/, '')}/pglite` };
}

const shared = {
  entities,
  extensions: [Migrator],
  migrations: {
    migrationsList,
    path: 'db/migrations',
    pathTs: 'db/migrations',
    emit: 'ts' as const,
    silent: true,
    snapshotName: '.snapshot-switchboard',
  },
  // Every caller works in a forked entity manager (RequestContext per request / update).
  allowGlobalContext: false,
  // MikroORM's own logger prints SQL with parameters; pino covers what we need.
  debug: false,
  ensureDatabase: false,
  discovery: { checkDuplicateTableNames: true },
  // The shared visitor limits' tables have no entities (server/limits/postgres-limit-store.ts writes them
  // with its own SQL): schema diffs and the migration snapshot leave them alone.
  schemaGenerator: {
    skipTables: ['visitor_limit_buckets', 'visitor_limit_caps', 'visitor_limit_leases'],
  },
};

/**
 * PGlite's server settings. Its shared memory is allocated and zeroed at every start, in WebAssembly
 * that runs unoptimised that early: PostgreSQL's default 128 MB of shared buffers cost about a third of
 * a second of CPU on every start, and 128 MB of resident memory.
 * 32 MB (PostgreSQL's default until 9.3) holds a support team's hot pages; a page read beyond them is a
 * read from the OS's file cache.
 */
const PGLITE_START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=32MB'];

/**
 * The longest a caller waits for a pooled PostgreSQL connection (a free slot, or a new connection to
 * the server): past it the query fails, and the API answers 503 with Retry-After instead of hanging.
 * pg's default is to wait for ever.
 */
export const CONNECTION_TIMEOUT_MS = 5_000;

/**
 * Creates the ORM on PostgreSQL or PGlite: the same entities, migrations and SQL on both. A new PGlite
 * data directory starts as a copy of the install's migrated template (db/pglite-template.ts) unless
 * `fromTemplate` is false (a restore loads a dump into an empty cluster).
 */
export async function createOrm(
  options: DatabaseOptions,
  { fromTemplate = true }: { fromTemplate?: boolean } = {},
): Promise<Orm> {
  if (options.kind === 'postgresql') {
    const orm = await PostgreSqlMikroORM.init({
      ...shared,
      clientUrl: options.url,
      pool: { min: 0, max: 10 },
      driverOptions: {
        connectionTimeoutMillis: CONNECTION_TIMEOUT_MS,
        // Notices a server that vanished without closing the connection (a cut network, a dead host).
        keepAlive: true,
        keepAliveInitialDelayMillis: 10_000,
        // A connection whose BEGIN / COMMIT / ROLLBACK failed is destroyed, never kept or reused.
        onPoolCreated: guardTransactionControl,
      },
    });
    // MikroORM connects lazily, and its migrator creates a database that does not exist: connect now,
    // so an unreachable server, refused credentials or a misspelt database name fail here, as they are.
    await orm.em
      .getConnection()
      .execute('select 1')
      .catch(async (error: unknown) => {
        await orm.close(true);
        throw error;
      });
    return orm as unknown as Orm;
  }
  if (options.dataDir.startsWith('memory://')) {
    // In memory (tests, tools): loaded from the template's archive when there is one, as a copy of its
    // directory seeds a new data directory below.
    const archive = fromTemplate ? findTemplateArchive() : undefined;
    return (await PgliteMikroORM.init({
      ...shared,
      dbName: options.dataDir,
      driverOptions: {
        startParams: PGLITE_START_PARAMS,
        ...(archive ? { loadDataDir: tarArchive(archive) } : {}),
      },
    })) as unknown as Orm;
  }
  mkdirSync(options.dataDir, { recursive: true });
  // Before PGlite opens the directory: a second process on it would crash or corrupt it.
  const lock = lockDataDirectory(options.dataDir);
  try {
    if (fromTemplate) seedDataDirectory(options.dataDir);
  } catch (error) {
    lock.release();
    throw error;
  }
  // `dbName` is the PGlite cluster's location; the ORM owns the instance and closes it.
  const orm = await PgliteMikroORM.init({
    ...shared,
    dbName: options.dataDir,
    driverOptions: { startParams: PGLITE_START_PARAMS },
  }).catch((error: unknown) => {
    lock.release();
    throw error;
  });
  const close = orm.close.bind(orm);
  orm.close = async (force) => {
    try {
      await close(force);
    } finally {
      lock.release();
    }
  };
  return orm as unknown as Orm;
}

/**
 * The tar archive at `path` for PGlite's `loadDataDir`, which reads only its type and bytes. Not a Blob:
 * the ORM copies its driver options, and a copied Blob has lost its contents. The file is read when PGlite
 * opens, not kept for the ORM's life.
 */
const tarArchive = (path: string) =>
  ({ type: 'application/x-tar', arrayBuffer: async () => readFileSync(path) }) as unknown as Blob;

/**
 * Applies pending migrations; returns the names applied. When every migration is already recorded (every
 * start but the first after an upgrade) that is one query: the migrator's own check introspects the
 * schema, a few hundred milliseconds on PGlite.
 */
export async function migrate(orm: Orm): Promise<string[]> {
  if (await allMigrationsRecorded(orm)) return [];
  return inStartupTurn(orm, async () => {
    // Another instance may have migrated while this one waited for its turn.
    if (await allMigrationsRecorded(orm)) return [];
    const applied = await orm.migrator.up();
    return applied.map((migration) => migration.name);
  });
}

/** The advisory lock instances take turns on for what start-up creates (migrations, job queues). */
const STARTUP_LOCK = 7_302_154_160_001n;
/** How often an instance waiting for its start-up turn asks again. */
const STARTUP_TURN_POLL_MS = 100;

/**
 * Runs `work` (which creates shared schema: migrations, job queues) while no other instance does: on
 * PostgreSQL, instances started together on a new database take turns on a transaction-level advisory
 * lock, held by a transaction of its own (the work runs on other connections), so the first creates and
 * the others find it done instead of failing on a table created at the same moment. PGlite is one process
 * with one connection: `work` simply runs.
 *
 * A waiting instance asks for the lock every 100 ms rather than waiting inside one statement: a statement
 * that waits keeps its snapshot open, and an index built CONCURRENTLY (pg-boss builds some in the
 * background after an upgrade) waits for every older snapshot. Were the turn's holder to wait for such an
 * index (creating a table or an index on the same table), holder, index and waiter would wait on each
 * other for ever, in a cycle PostgreSQL cannot see (the holder's transaction waits in Node).
 */
export async function inStartupTurn<T>(orm: Orm, work: () => Promise<T>): Promise<T> {
  if (!(orm.em.getConnection() instanceof PostgreSqlConnection)) return work();
  for (;;) {
    const turn = await orm.em.fork().transactional(async (tx) => {
      const [row] = await tx.execute<{ taken: boolean }[]>(
        `select pg_try_advisory_xact_lock(${STARTUP_LOCK}) as taken`,
      );
      return row?.taken ? { result: await work() } : undefined;
    });
    if (turn) return turn.result;
    await new Promise((resolve) => setTimeout(resolve, STARTUP_TURN_POLL_MS));
  }
}

async function allMigrationsRecorded(orm: Orm): Promise<boolean> {
  const table = orm.config.get('migrations').tableName ?? 'mikro_orm_migrations';
  let rows: { name: string }[];
  try {
    rows = await orm.em.getConnection().execute<{ name: string }[]>(`select name from "${table}"`);
  } catch {
    // No table yet (a new database): the migrator creates it. Any other failure, it reports.
    return false;
  }
  // The migrator records a migration by its class name (older versions kept a file extension).
  const recorded = new Set(rows.map((row) => row.name.replace(/\.[jt]s$/, '')));
  return migrationsList.every((migration) => recorded.has(migration.name));
}

/**
 * The PostgreSQL pool's connections right now (pg.Pool's counters; for /metrics): open, idle, callers
 * waiting for one, and the pool's size. Undefined on PGlite, which has one in-process backend, no pool.
 */
export async function poolUsageOf(
  orm: Orm,
): Promise<{ total: number; idle: number; waiting: number; max: number } | undefined> {
  const connection = orm.em.getConnection();
  if (!(connection instanceof PostgreSqlConnection)) return undefined;
  const pool = await connection.getNativeClient();
  return {
    total: pool.totalCount,
    idle: pool.idleCount,
    waiting: pool.waitingCount,
    max: pool.options.max ?? 10,
  };
}

/** The underlying PGlite instance, when running embedded (pg-boss and tests use it). */
export async function pgliteOf(orm: Orm): Promise<PGlite | undefined> {
  const connection = orm.em.getConnection();
  return connection instanceof PgliteConnection ? connection.getNativeClient() : undefined;
}
