import { fromKysely, fromPglite, type JobWithMetadata, PgBoss } from 'pg-boss';
import type { Logger } from 'pino';
import type { OutboundJob, Outbox } from '../core/outbox.ts';
import { type Orm, pgliteOf } from '../db/orm.ts';

/** Telegram deliveries, first in first out per chat key. */
const OUTBOUND_QUEUE = 'telegram-outbound';
/** Delayed checks (after hours). */
const TIMER_QUEUE = 'ticket-timers';
const RETRY_LIMIT = 200;

export type JobQueue = Awaited<ReturnType<typeof startJobQueue>>;
export type OutboundHandler = (job: OutboundJob) => Promise<void>;

/** The FIFO key of a delivery: everything for one chat goes out in the order it was enqueued. */
function chatKey(job: OutboundJob): string {
  return 'agentId' in job ? `agent:${job.agentId}` : 'support-group';
}

/**
 * pg-boss on the application's database (PGlite through its adapter, or PostgreSQL), providing the
 * core's Outbox: jobs are inserted through the caller's open transaction, so they exist exactly when
 * the change that caused them commits.
 */
export async function startJobQueue({
  orm,
  databaseUrl,
  logger,
  afterHoursSeconds,
}: {
  orm: Orm;
  databaseUrl?: string;
  logger: Logger;
  afterHoursSeconds: number;
}) {
  const pglite = await pgliteOf(orm);
  const boss = pglite
    ? new PgBoss({ db: fromPglite(pglite), backend: 'pglite', schedule: false })
    : new PgBoss({ connectionString: databaseUrl, max: 4, schedule: false });
  boss.on('error', (error) => logger.error({ err: error }, 'job queue error'));
  await boss.start();
  await boss.createQueue(OUTBOUND_QUEUE, {
    policy: 'key_strict_fifo',
    // About three hours of retries (backoff capped at a minute) before a delivery is given up.
    retryLimit: RETRY_LIMIT,
    retryDelay: 1,
    retryBackoff: true,
    retryDelayMax: 60,
    expireInSeconds: 300,
  });
  await boss.createQueue(TIMER_QUEUE, {
    retryLimit: RETRY_LIMIT,
    retryDelay: 5,
    retryBackoff: true,
    retryDelayMax: 300,
  });

  const workerIds: string[] = [];

  const outbox: Outbox = {
    async enqueue(tx, job) {
      const db = fromKysely(tx.getTransactionContext() as Parameters<typeof fromKysely>[0]);
      if (job.type === 'ticket.after-hours') {
        await boss.send(TIMER_QUEUE, job, { db, startAfter: afterHoursSeconds });
      } else {
        await boss.send(OUTBOUND_QUEUE, job, { db, singletonKey: chatKey(job) });
      }
    },
  };

  return {
    outbox,

    /** Runs `handler` for every job; a thrown error retries the job later (with backoff), in order per chat. */
    async work(handler: OutboundHandler) {
      for (const queue of [OUTBOUND_QUEUE, TIMER_QUEUE]) {
        const id = await boss.work<OutboundJob>(
          queue,
          { pollingIntervalSeconds: 0.5, includeMetadata: true },
          async (jobs) => {
            for (const job of jobs as JobWithMetadata<OutboundJob>[]) {
              try {
                await handler(job.data);
              } catch (error) {
                // A job that ends as `failed` would hold back its chat's FIFO key: the last attempt
                // gives up (loudly) instead.
                if (job.retryCount < job.retryLimit) throw error;
                logger.error(
                  { err: error, job: job.data, attempts: job.retryCount + 1 },
                  'delivery given up',
                );
              }
            }
          },
        );
        workerIds.push(id);
      }
    },

    /** Wakes the workers now instead of at their next poll (call after a commit that enqueued work). */
    nudge() {
      for (const id of workerIds) boss.notifyWorker(id);
    },

    async stop() {
      await boss.stop({ graceful: true, timeout: 5000 });
    },
  };
}
