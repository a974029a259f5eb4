import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RequestContext } from '@mikro-orm/core';
import { parseConfig } from '../../app/config.ts';
import { createLogger } from '../../app/logger.ts';
import { createInProcessEventBus } from '../../core/event-bus.ts';
import { createServices } from '../../core/services.ts';
import { createOrm, migrate, type Orm } from '../../db/orm.ts';
import { createApp } from '../../server/create-app.ts';
import { createVisitorTokens } from '../../server/visitor-token.ts';
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

/** The real Koa app on a real database, listening on a loopback port. */
export async function startTestApp(env: Record<string, string> = {}) {
  const config = parseConfig({
    NODE_ENV: 'test',
    JWT_SECRET: TEST_JWT_SECRET,
    DATA_DIR: '/nonexistent',
    ...env,
  });
  const { orm, close: closeOrm } = await createTestOrm();
  const bus = createInProcessEventBus();
  const services = createServices({ em: orm.em, bus });
  const tokens = createVisitorTokens(TEST_JWT_SECRET);
  const logger = createLogger({ level: 'silent' });
  const { app, eventStreams } = createApp({ config, logger, orm, services, bus, tokens });
  const server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    orm,
    services,
    bus,
    tokens,
    /** Counts rows, to show that a rejected request wrote nothing. */
    count: (table: string) =>
      orm.em
        .getConnection()
        .execute<{ count: string }[]>(`select count(*)::int as count from ${table}`)
        .then((rows) => Number(rows[0]?.count)),
    inContext: <T>(fn: () => Promise<T>) => inContext(orm, fn),
    close: async () => {
      eventStreams.closeAll();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await closeOrm();
    },
  };
}

export type TestApp = Awaited<ReturnType<typeof startTestApp>>;
