import { createOrm, databaseOptions, migrate } from '../../db/orm.ts';
import { createVisitorTokens } from '../../server/visitor-token.ts';
import type { Session } from './http.ts';
import { type BenchDatabase, JWT_SECRET } from './server.ts';

/**
 * `count` visitor sessions written straight into the database (migrated here) before the server starts,
 * with their tokens: thousands of idle visitors without minutes of `POST /api/session` first. Only for
 * scenarios that measure something else (open event streams), never for what is measured.
 */
export async function seedSessions(database: BenchDatabase, count: number): Promise<Session[]> {
  const orm = await createOrm(databaseOptions({ databaseUrl: database.url, dataDir: database.dataDir }));
  try {
    await migrate(orm);
    const rows = await orm.em
      .getConnection()
      .execute<{ id: string }[]>(
        'insert into support_sessions (id) select gen_random_uuid() from generate_series(1, ?) returning id',
        [count],
      );
    const tokens = createVisitorTokens(JWT_SECRET);
    return await Promise.all(rows.map(async ({ id }) => ({ sessionId: id, token: await tokens.sign(id) })));
  } finally {
    await orm.close();
  }
}
