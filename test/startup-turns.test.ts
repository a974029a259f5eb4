import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../app/logger.ts';
import { createOrm, migrate, type Orm } from '../db/orm.ts';
import { type JobQueue, startJobQueue } from '../jobs/job-queue.ts';
import { createTestDatabase, databaseKind } from './support/database.ts';

/**
 * Instances started at the same moment on a new PostgreSQL database (a deployment's replicas): each
 * migrates and creates the job queues, taking turns, so none fails on a table another created a moment
 * before. PGlite is one process: nothing to take turns with.
 */
describe.skipIf(databaseKind !== 'postgresql')('three instances starting together on a new database', () => {
  const orms: Orm[] = [];
  const queues: JobQueue[] = [];
  let drop = async () => {};

  afterAll(async () => {
    await Promise.all(queues.map((queue) => queue.stop()));
    await Promise.all(orms.map((orm) => orm.close()));
    await drop();
  });

  it('all migrate and start their job queues; the migrations run once', async () => {
    const database = await createTestDatabase();
    drop = database.drop;
    const url = database.options.kind === 'postgresql' ? database.options.url : undefined;
    orms.push(...(await Promise.all([1, 2, 3].map(() => createOrm(database.options)))));

    const applied = await Promise.all(orms.map((orm) => migrate(orm)));
    expect(applied.filter((names) => names.length > 0)).toHaveLength(1);

    const started = await Promise.allSettled(
      orms.map((orm) =>
        startJobQueue({
          orm,
          databaseUrl: url,
          logger: createLogger({ level: 'silent' }),
          afterHoursSeconds: 60,
        }),
      ),
    );
    for (const result of started) if (result.status === 'fulfilled') queues.push(result.value);
    expect(
      started.map((result) => (result.status === 'rejected' ? String(result.reason) : 'started')),
    ).toEqual(['started', 'started', 'started']);
  }, 90_000);
});
