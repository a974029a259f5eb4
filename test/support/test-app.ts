import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RequestContext } from '@mikro-orm/core';
import { parseConfig } from '../../app/config.ts';
import { createLogger } from '../../app/logger.ts';
import { startSwitchboard } from '../../app/switchboard.ts';
import { createOrm, type DatabaseOptions, migrate, type Orm } from '../../db/orm.ts';
import { createTestDatabase } from './database.ts';

export const TEST_JWT_SECRET = 'test-secret-test-secret-test-secret-0123456789';

/** A migrated ORM on a fresh test database (PGlite, or PostgreSQL when DATABASE_URL is set). */
export async function createTestOrm() {
  const database = await createTestDatabase();
  const orm = await createOrm(database.options);
  await migrate(orm);
  return {
    orm,
    close: async () => {
      await orm.close();
      await database.drop();
    },
  };
}

/** Runs `fn` with a fresh entity manager, as a request or a bot update would. */
export function inContext<T>(orm: Orm, fn: () => Promise<T>): Promise<T> {
  return RequestContext.create(orm.em, fn);
}

/**
 * The whole product as `npm start` composes it (app/switchboard.ts), on a fresh test database and a
 * temporary DATA_DIR, listening on a loopback port. `env` adds configuration, e.g. a bot token.
 * `database` runs it on an existing database instead (a second instance; the caller drops it).
 */
export async function startTestApp(
  env: Record<string, string> = {},
  {
    waitForTelegram = true,
    database: shared,
  }: { waitForTelegram?: boolean; database?: DatabaseOptions } = {},
) {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-test-'));
  const config = parseConfig({
    NODE_ENV: 'test',
    JWT_SECRET: TEST_JWT_SECRET,
    PORT: '0',
    DATA_DIR: dataDir,
    RATE_LIMIT_SESSIONS: '1000',
    ...env,
  });
  const database = shared ? { options: shared, drop: async () => {} } : await createTestDatabase();
  const logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const app = await startSwitchboard(config, logger, { database: database.options });
  if (waitForTelegram) await app.telegramReady;

  return {
    ...app,
    get telegram() {
      return app.telegram;
    },
    dataDir,
    /** Counts rows, to show that a rejected request wrote nothing. */
    count: (table: string) =>
      app.orm.em
        .getConnection()
        .execute<{ count: string }[]>(`select count(*)::int as count from ${table}`)
        .then((rows) => Number(rows[0]?.count)),
    inContext: <T>(fn: () => Promise<T>) => inContext(app.orm, fn),
    close: async () => {
      app.server.closeAllConnections();
      await app.stop();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type TestApp = Awaited<ReturnType<typeof startTestApp>>;
