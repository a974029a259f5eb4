import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../app/logger.ts';
import type { OutboundJob } from '../core/outbox.ts';
import { createOrm, migrate, type Orm } from '../db/orm.ts';
import { type JobQueue, startJobQueue } from '../jobs/job-queue.ts';
import { createTestDatabase, databaseKind } from './support/database.ts';

let orm: Orm;
let jobs: JobQueue;
let drop: () => Promise<void>;

beforeAll(async () => {
  const database = await createTestDatabase();
  drop = database.drop;
  orm = await createOrm(database.options);
  await migrate(orm);
  jobs = await startJobQueue({
    orm,
    databaseUrl: database.options.kind === 'postgresql' ? database.options.url : undefined,
    logger: createLogger({ level: 'silent' }),
    afterHoursSeconds: 3600,
  });
});
afterAll(async () => {
  await jobs?.stop();
  await orm?.close();
  await drop?.();
});

const until = async (condition: () => boolean, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  return condition();
};

describe(`outbound deliveries (pg-boss on ${databaseKind})`, () => {
  it('a delivery waiting on one chat’s limits holds up no other chat; one chat’s stay in order', async () => {
    // Each delivery waits (as one waiting out Telegram's spacing for its chat would) until released.
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const started: { agentId: number; messageId: number }[] = [];
    const done: { agentId: number; messageId: number }[] = [];
    await jobs.work(async (job: OutboundJob) => {
      if (job.type !== 'agent.message') return;
      started.push({ agentId: job.agentId, messageId: job.messageId });
      await released;
      done.push({ agentId: job.agentId, messageId: job.messageId });
    });
    const agents = Array.from({ length: 16 }, (_, index) => 100 + index);
    // Agent 100 gets a second message: it must wait for the first, whatever else is going on.
    const enqueued = [
      ...agents.map((agentId) => ({ agentId, messageId: 1 })),
      { agentId: 100, messageId: 2 },
    ];
    for (const { agentId, messageId } of enqueued) {
      await orm.em
        .fork()
        .transactional((tx) => jobs.outbox.enqueue(tx, { type: 'agent.message', agentId, messageId }));
      jobs.nudge();
    }

    // Every chat's first delivery is under way at once, although none has finished.
    const chatsStarted = () => new Set(started.map((job) => job.agentId)).size;
    await until(() => chatsStarted() === agents.length, 30_000);
    expect(chatsStarted()).toBe(agents.length);
    expect(started).not.toContainEqual({ agentId: 100, messageId: 2 });

    release();
    expect(await until(() => done.length === enqueued.length, 30_000)).toBe(true);
    expect(done.filter((job) => job.agentId === 100).map((job) => job.messageId)).toEqual([1, 2]);
  }, 90_000);
});
