import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../app/logger.ts';
import { createInProcessEventBus } from '../core/event-bus.ts';
import type { OutboundJob } from '../core/outbox.ts';
import { createServices } from '../core/services.ts';
import { createOrm, migrate, type Orm } from '../db/orm.ts';
import { type JobQueue, startJobQueue } from '../jobs/job-queue.ts';
import { createTestDatabase, databaseKind } from './support/database.ts';
import { inContext } from './support/test-app.ts';

let orm: Orm;
let jobs: JobQueue;
let drop: () => Promise<void>;
let databaseOptions: Awaited<ReturnType<typeof createTestDatabase>>['options'];
/** Every job the worker (registered by the delivery test) ran, with when. */
const handled: { job: OutboundJob; at: number }[] = [];
const waitFor = async (condition: () => boolean, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  return condition();
};

beforeAll(async () => {
  const database = await createTestDatabase();
  drop = database.drop;
  databaseOptions = database.options;
  orm = await createOrm(database.options);
  await migrate(orm);
  jobs = await startJobQueue({
    orm,
    databaseUrl: database.options.kind === 'postgresql' ? database.options.url : undefined,
    logger: createLogger({ level: 'silent' }),
    // Short, so that a scheduled timer comes due within the test.
    afterHoursSeconds: 2,
  });
});
afterAll(async () => {
  await jobs?.stop();
  await orm?.close();
  await drop?.();
});

const queued = async () =>
  (
    await orm.em
      .getConnection()
      .execute<{ name: string; data: OutboundJob }[]>(
        `select name, data from pgboss.job order by created_on, id`,
      )
  ).map((row) => ({ queue: row.name, ...row.data }));

describe(`the durable outbox (pg-boss on ${databaseKind})`, () => {
  it('a job exists exactly when its transaction commits', async () => {
    const before = (await queued()).length;
    await orm.em.fork().transactional(async (tx) => {
      await jobs.outbox.enqueue(tx, { type: 'ticket.card', ticketId: 1001 });
    });
    await expect(
      orm.em.fork().transactional(async (tx) => {
        await jobs.outbox.enqueue(tx, { type: 'ticket.card', ticketId: 1002 });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const after = (await queued()).slice(before);
    expect(after).toEqual([{ queue: 'telegram-outbound', type: 'ticket.card', ticketId: 1001 }]);
  });

  it('one waiting card refresh per ticket: a busy unclaimed ticket does not pile up edits', async () => {
    const before = (await queued()).length;
    for (const ticketId of [2001, 2002, 2001, 2001, 2002]) {
      await orm.em.fork().transactional((tx) => jobs.outbox.enqueue(tx, { type: 'ticket.card', ticketId }));
    }
    // Other deliveries are never merged: each is its own message.
    for (let i = 0; i < 2; i += 1) {
      await orm.em
        .fork()
        .transactional((tx) =>
          jobs.outbox.enqueue(tx, { type: 'agent.connected', agentId: 9, ticketId: 2001 }),
        );
    }
    expect((await queued()).slice(before)).toEqual([
      { queue: 'telegram-outbound', type: 'ticket.card', ticketId: 2001 },
      { queue: 'telegram-outbound', type: 'ticket.card', ticketId: 2002 },
      { queue: 'telegram-outbound', type: 'agent.connected', agentId: 9, ticketId: 2001 },
      { queue: 'telegram-outbound', type: 'agent.connected', agentId: 9, ticketId: 2001 },
    ]);
  });

  it('many at once (missing cards): one card per ticket, none beside one already waiting, in order', async () => {
    await orm.em
      .fork()
      .transactional((tx) => jobs.outbox.enqueue(tx, { type: 'ticket.card', ticketId: 5002 }));
    const before = (await queued()).length;
    await orm.em.fork().transactional((tx) =>
      jobs.outbox.enqueueMany(tx, [
        { type: 'ticket.card', ticketId: 5003 },
        { type: 'ticket.card', ticketId: 5002 },
        { type: 'ticket.card', ticketId: 5001 },
        { type: 'ticket.card', ticketId: 5003 },
        { type: 'agent.connected', agentId: 9, ticketId: 5001 },
      ]),
    );
    // A rolled-back batch leaves nothing.
    await expect(
      orm.em.fork().transactional(async (tx) => {
        await jobs.outbox.enqueueMany(tx, [{ type: 'ticket.card', ticketId: 5004 }]);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    // In the order given, as the group's FIFO will send them (one transaction: same creation time).
    const { rows } = await orm.em
      .getConnection()
      .execute<{ data: OutboundJob }[]>(
        `select data from pgboss.job where data->>'ticketId' in ('5001', '5002', '5003', '5004')
          order by created_on, id`,
      )
      .then((result) => ({ rows: result }));
    expect(rows.map((row) => row.data)).toEqual([
      { type: 'ticket.card', ticketId: 5002 },
      { type: 'ticket.card', ticketId: 5003 },
      { type: 'ticket.card', ticketId: 5001 },
      { type: 'agent.connected', agentId: 9, ticketId: 5001 },
    ]);
    expect((await queued()).length - before).toBe(3);
  });

  it('a visitor message enqueues its card and after-hours timer with it', async () => {
    const services = createServices({ em: orm.em, bus: createInProcessEventBus(), outbox: jobs.outbox });
    const before = (await queued()).length;
    const sessionId = await inContext(orm, () => services.sessions.createSession({}));
    const sent = await inContext(orm, () => services.messages.sendVisitorMessage({ sessionId, body: 'hi' }));
    const added = (await queued()).slice(before);
    expect(added).toHaveLength(2);
    expect(added).toEqual(
      expect.arrayContaining([
        { queue: 'telegram-outbound', type: 'ticket.card', ticketId: sent.ticket.id },
        { queue: 'ticket-timers', type: 'ticket.after-hours', ticketId: sent.ticket.id },
      ]),
    );
  });

  it('delivers jobs to the worker in order per chat, retrying a failure', async () => {
    const seen: number[] = [];
    let failedOnce = false;
    await jobs.work(async (job) => {
      handled.push({ job, at: Date.now() });
      if (job.type !== 'agent.message') return;
      if (job.messageId === 2 && !failedOnce) {
        failedOnce = true;
        throw new Error('Telegram is down');
      }
      seen.push(job.messageId);
    });
    // One transaction each, as messages are stored (jobs of one transaction share its timestamp).
    for (const messageId of [1, 2, 3]) {
      await orm.em
        .fork()
        .transactional((tx) => jobs.outbox.enqueue(tx, { type: 'agent.message', agentId: 7, messageId }));
    }
    // No nudge: each commit wakes a worker; the failed one is retried after its backoff (1–2 s), not at
    // the due watch's next look (15 s).
    const started = Date.now();
    await waitFor(() => seen.length >= 3, 20_000);
    expect(failedOnce).toBe(true);
    expect(seen).toEqual([1, 2, 3]);
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 30_000);

  it('a job enqueued here is worked at once, without polling', async () => {
    const started = Date.now();
    await orm.em
      .fork()
      .transactional((tx) => jobs.outbox.enqueue(tx, { type: 'agent.message', agentId: 8, messageId: 11 }));
    const worked = () => handled.find(({ job }) => job.type === 'agent.message' && job.messageId === 11);
    // Well under the due watch's interval (15 s): the commit woke the worker.
    expect(await waitFor(() => !!worked(), 5_000)).toBe(true);
    expect((worked()?.at ?? 0) - started).toBeLessThan(5_000);
  }, 15_000);

  it('a scheduled timer runs when it is due: not before, and not a watch interval late', async () => {
    const ticketId = 4242;
    const started = Date.now();
    await orm.em
      .fork()
      .transactional((tx) => jobs.outbox.enqueue(tx, { type: 'ticket.after-hours', ticketId }));
    const worked = () =>
      handled.find(({ job }) => job.type === 'ticket.after-hours' && job.ticketId === ticketId);
    expect(await waitFor(() => !!worked(), 10_000)).toBe(true);
    const after = (worked()?.at ?? 0) - started;
    expect(after).toBeGreaterThanOrEqual(1_900);
    expect(after).toBeLessThan(10_000);
  }, 20_000);

  it('a job whose worker died (active, no heartbeat) is retried: the due watch has it supervised', async () => {
    await orm.em.fork().transactional(async (tx) => {
      await jobs.outbox.enqueue(tx, { type: 'agent.message', agentId: 31, messageId: 31 });
      // As a worker that took it and was killed an hour ago left it.
      await tx.getConnection().execute(
        `update pgboss.job set state = 'active', started_on = now() - interval '1 hour',
              heartbeat_on = now() - interval '1 hour'
            where data->>'type' = 'agent.message' and data->>'messageId' = '31'`,
        [],
        'run',
        tx.getTransactionContext(),
      );
    });
    // The watch's next look (≤ 15 s) finds it stalled, supervision fails it into retry, the retry is worked.
    expect(
      await waitFor(
        () => handled.some(({ job }) => job.type === 'agent.message' && job.messageId === 31),
        40_000,
      ),
    ).toBe(true);
  }, 60_000);

  it("another instance's jobs are worked here (the due watch finds them), timers when due", async () => {
    // A second queue on the same database, without workers: another instance enqueueing.
    const other = await startJobQueue({
      orm,
      databaseUrl: databaseOptions.kind === 'postgresql' ? databaseOptions.url : undefined,
      logger: createLogger({ level: 'silent' }),
      afterHoursSeconds: 1,
    });
    try {
      await orm.em.fork().transactional(async (tx) => {
        await other.outbox.enqueue(tx, { type: 'agent.message', agentId: 9, messageId: 21 });
        await other.outbox.enqueue(tx, { type: 'ticket.after-hours', ticketId: 4343 });
      });
      const workedHere = (predicate: (job: OutboundJob) => boolean) => () =>
        handled.some(({ job }) => predicate(job));
      // Within the watch's interval (15 s) and a margin for a busy machine.
      expect(
        await waitFor(
          workedHere((job) => job.type === 'agent.message' && job.messageId === 21),
          25_000,
        ),
      ).toBe(true);
      expect(
        await waitFor(
          workedHere((job) => job.type === 'ticket.after-hours' && job.ticketId === 4343),
          25_000,
        ),
      ).toBe(true);
    } finally {
      await other.stop();
    }
  }, 60_000);
});
