import { randomBytes } from 'node:crypto';
import { fromKysely, fromPglite, type JobWithMetadata, PgBoss } from 'pg-boss';
import type { Logger } from 'pino';
import type { DeliveryBacklog } from '../core/delivery-backlog.ts';
import type { OutboundJob, Outbox } from '../core/outbox.ts';
import { CONNECTION_TIMEOUT_MS, type EntityManager, inStartupTurn, type Orm, pgliteOf } from '../db/orm.ts';
import { startDueWatch } from './due-watch.ts';

/** Telegram deliveries, first in first out per chat key. */
const OUTBOUND_QUEUE = 'telegram-outbound';
/** Timers: delayed checks (after hours, offer expiry) and offers to make now. */
const TIMER_QUEUE = 'ticket-timers';
const RETRY_LIMIT = 200;
/** A running job proves its worker alive this often (pg-boss's minimum); a silent one is retried. */
const HEARTBEAT_SECONDS = 10;
/** Outbound deliveries in flight at once (each for a different chat; most wait on Telegram's limits). */
const OUTBOUND_WORKERS = 24;
/**
 * How often the due watch looks for work no wake-up announced (jobs/due-watch.ts): the longest a job
 * enqueued by another instance, or a stalled job of a dead worker, waits beyond its time.
 */
const DUE_WATCH_MS = 15_000;
/** pg-boss's housekeeping (deleting finished jobs past their retention), instead of at every supervision. */
const MAINTENANCE_MS = 60 * 60_000;
/**
 * A worker never polls on its own: the due watch and the wake-ups after commits tell it when to fetch.
 * pg-boss wants an interval; this one is a last resort that never matters.
 */
const IDLE_POLL_SECONDS = 3600;

export type JobQueue = Awaited<ReturnType<typeof startJobQueue>>;
export type OutboundHandler = (job: OutboundJob) => Promise<void>;
/** What the queue reports to the metrics (implemented in server/metrics.ts, wired in app/switchboard.ts). */
export type DeliveryRetryMetrics = {
  retried(type: OutboundJob['type']): void;
  givenUp(type: OutboundJob['type']): void;
};

/**
 * `count` job ids in ascending order (UUID version 7 layout: the time, then the position), for jobs
 * inserted together: pg-boss orders a chat's jobs by creation time, then id.
 */
function orderedIds(count: number): string[] {
  const time = Date.now().toString(16).padStart(12, '0');
  const hex = (value: number, digits: number) => value.toString(16).padStart(digits, '0');
  return Array.from({ length: count }, (_, index) => {
    const random = randomBytes(6).toString('hex');
    return `${time.slice(0, 8)}-${time.slice(8)}-7${hex((index >> 12) & 0xfff, 3)}-${hex(0x8000 | (index & 0xfff), 4)}-${random}`;
  });
}

/** Deliveries that go to the agent's own chat with the bot in every mode (never into a group topic). */
const AGENT_CHAT_ONLY = new Set<OutboundJob['type']>(['agent.offer', 'agent.offer-ended']);

/**
 * The FIFO key of a delivery: everything for one chat goes out in the order it was enqueued. With
 * `allInGroup` (tickets' conversations are topics of the support group) every delivery is the group's,
 * except offers, which go to the agent's own chat.
 */
const chatKeyOf =
  (allInGroup: boolean) =>
  (job: OutboundJob): string =>
    'agentId' in job && (!allInGroup || AGENT_CHAT_ONLY.has(job.type))
      ? `agent:${job.agentId}`
      : 'support-group';

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
  offerSeconds = 60,
  outboundWorkers = OUTBOUND_WORKERS,
  metrics,
  allInGroup = false,
}: {
  orm: Orm;
  databaseUrl?: string;
  logger: Logger;
  afterHoursSeconds: number;
  /** How long an auto-assignment offer waits for its agent (ASSIGNMENT=auto). */
  offerSeconds?: number;
  /** Deliveries in flight at once, each for a different chat (default 4). */
  outboundWorkers?: number;
  /** Counts failed attempts for /metrics: retried later, or given up after the last retry. */
  metrics?: DeliveryRetryMetrics;
  /** Every delivery goes to the support group (TICKET_THREADS=group-topics): one FIFO for it all. */
  allInGroup?: boolean;
}) {
  const chatKey = chatKeyOf(allInGroup);
  /** Jobs that are timers (not Telegram deliveries in a chat's order), and when they run. */
  const timerDelaySeconds = (job: OutboundJob): number | null => {
    if (job.type === 'ticket.after-hours') return afterHoursSeconds;
    if (job.type === 'ticket.offer-expired') return offerSeconds;
    // Offering a ticket must not wait behind the group's cards (20 a minute): a timer due now.
    if (job.type === 'ticket.assign' || job.type === 'tickets.assign-waiting') return 0;
    return null;
  };
  const pglite = await pgliteOf(orm);
  // No background timers of pg-boss's own (supervision, flows, instance heartbeats, queue-cache
  // refreshes each poll the database): the due watch below supervises when a job stalled (a worker that
  // died stops sending heartbeats: its job is retried within about 25 s instead of holding its chat's FIFO
  // key until it expires) and runs the housekeeping hourly. Intervals still gate supervision shared by
  // several instances.
  const supervision = {
    supervise: false,
    superviseIntervalSeconds: 10,
    monitorIntervalSeconds: 10,
    registerInstance: false,
    queueCacheIntervalSeconds: 3600,
    bamIntervalSeconds: 3600,
  };
  // pg-boss's own pool on PostgreSQL (the options go to pg.Pool): a wait for one of its connections is
  // bounded as the ORM's are. pg-boss itself closes a connection whose statement or COMMIT / ROLLBACK
  // failed; its jobs inserted through the outbox run in the ORM's transaction (db/orm.ts guards those).
  const pool = {
    max: 6,
    connectionTimeoutMillis: CONNECTION_TIMEOUT_MS,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  };
  const boss = pglite
    ? new PgBoss({ db: fromPglite(pglite), backend: 'pglite', schedule: false, ...supervision })
    : new PgBoss({ connectionString: databaseUrl, ...pool, schedule: false, ...supervision });
  boss.on('error', (error) => logger.error({ err: error }, 'job queue error'));
  const outboundOptions = {
    // About three hours of retries (backoff capped at a minute) before a delivery is given up.
    retryLimit: RETRY_LIMIT,
    retryDelay: 1,
    retryBackoff: true,
    retryDelayMax: 60,
    expireInSeconds: 300,
    heartbeatSeconds: HEARTBEAT_SECONDS,
  };
  const timerOptions = {
    retryLimit: RETRY_LIMIT,
    retryDelay: 5,
    retryBackoff: true,
    retryDelayMax: 300,
    heartbeatSeconds: HEARTBEAT_SECONDS,
  };
  // What pg-boss and this module create in the database (its schema, the queues' tables, an index), in
  // one turn: instances started together on a new database would otherwise fail on the catalog's unique
  // index, creating the same table at once (pg-boss creates its schema before it takes its own lock).
  await inStartupTurn(orm, async () => {
    await boss.start();
    await ensureQueues(boss, [
      { name: OUTBOUND_QUEUE, policy: 'key_strict_fifo', options: outboundOptions },
      { name: TIMER_QUEUE, options: timerOptions },
    ]);
    // Card refreshes are looked up by ticket among the waiting jobs (below): an index keeps that from
    // growing with the number of cards waiting (pg-boss creates its tables, so this is not a migration).
    await boss.getDb().executeSql(
      `create index if not exists switchboard_waiting_cards on pgboss.job ((data->>'ticketId'))
          where state < 'active' and data->>'type' = 'ticket.card'`,
    );
  });

  /** The workers of each queue; `busy` while one runs a job. */
  const workers = new Map<string, { id: string; busy: boolean }[]>([
    [OUTBOUND_QUEUE, []],
    [TIMER_QUEUE, []],
  ]);
  /** Wakes an idle worker of `queue`: it fetches now. Busy ones fetch again by themselves when done. */
  const wake = (queue: string) => {
    const idle = workers.get(queue)?.find((worker) => !worker.busy);
    if (idle) boss.notifyWorker(idle.id);
  };

  /**
   * Jobs are woken for after their transaction commits (before, a worker would not see them): per
   * transaction, the queues it enqueued to and the soonest delay of its timers.
   */
  const toWake = new WeakMap<object, Map<string, number>>();
  /** Enqueued inside a savepoint whose outer transaction is not known: woken at the next commit, and soon. */
  const orphans = new Map<string, number>();
  const wakeAll = (queues: Map<string, number>) => {
    for (const [queue, delaySeconds] of queues) {
      if (delaySeconds > 0) dueWatch.lookWithin(delaySeconds * 1000);
      else wake(queue);
    }
  };
  const wakeAfterCommit = (tx: EntityManager, queue: string, delaySeconds: number) => {
    const context = tx.getTransactionContext() as object | undefined;
    if (!context) {
      wakeAll(new Map([[queue, delaySeconds]]));
      return;
    }
    const queues = toWake.get(context) ?? new Map<string, number>();
    queues.set(queue, Math.min(delaySeconds, queues.get(queue) ?? Number.POSITIVE_INFINITY));
    toWake.set(context, queues);
  };
  orm.em.getEventManager().registerSubscriber({
    afterTransactionCommit({ transaction }) {
      const queues = transaction && toWake.get(transaction);
      if (transaction && 'savepointName' in transaction && transaction.savepointName) {
        for (const [queue, delay] of queues ?? [])
          orphans.set(queue, Math.min(delay, orphans.get(queue) ?? delay));
        if (queues) setTimeout(() => wakeAll(queues), 1000).unref();
        return;
      }
      if (queues) wakeAll(queues);
      if (orphans.size > 0) {
        wakeAll(orphans);
        orphans.clear();
      }
    },
  });

  const outbox: Outbox = {
    async enqueue(tx, job) {
      const db = fromKysely(tx.getTransactionContext() as Parameters<typeof fromKysely>[0]);
      const timer = timerDelaySeconds(job);
      // One waiting rebalance is enough: it reads the team and the tickets when it runs.
      if (job.type === 'tickets.assign-waiting') {
        const { rows } = await db.executeSql(
          `select id from pgboss.job where name = $1 and state = 'created'
              and data->>'type' = 'tickets.assign-waiting' limit 1 for update`,
          [TIMER_QUEUE],
        );
        if (rows.length > 0) return;
      }
      if (timer !== null) {
        await boss.send(TIMER_QUEUE, job, { db, startAfter: timer });
        wakeAfterCommit(tx, TIMER_QUEUE, timer);
        return;
      }
      // A card renders the ticket as it is when it is sent, so one waiting refresh per ticket is enough:
      // a busy unclaimed ticket must not pile up edits the group can take only 20 a minute of (and that
      // would hold back other tickets' cards in the group's FIFO). The row lock keeps a worker from
      // taking that job before this transaction commits; once taken (active), a new job is queued.
      if (job.type === 'ticket.card') {
        const { rows } = await db.executeSql(
          `select id from pgboss.job
            where name = $1 and singleton_key = $2 and state in ('created', 'retry')
              and data->>'type' = 'ticket.card' and data->>'ticketId' = $3
            limit 1 for update`,
          [OUTBOUND_QUEUE, chatKey(job), String(job.ticketId)],
        );
        if (rows.length > 0) return;
      }
      await boss.send(OUTBOUND_QUEUE, job, { db, singletonKey: chatKey(job) });
      wakeAfterCommit(tx, OUTBOUND_QUEUE, 0);
    },

    async enqueueMany(tx, jobs) {
      const deliveries = jobs.filter((job) => timerDelaySeconds(job) === null);
      for (const job of jobs) if (timerDelaySeconds(job) !== null) await outbox.enqueue(tx, job);
      if (deliveries.length === 0) return;
      const db = fromKysely(tx.getTransactionContext() as Parameters<typeof fromKysely>[0]);
      // As `enqueue`: a ticket whose card refresh already waits gets none more (one read for them all,
      // through the index on waiting cards by ticket).
      const cardTickets = deliveries.flatMap((job) =>
        job.type === 'ticket.card' ? [String(job.ticketId)] : [],
      );
      const waiting = new Set<string>();
      if (cardTickets.length > 0) {
        const { rows } = await db.executeSql(
          `select data->>'ticketId' as ticket_id from pgboss.job
            where name = $1 and state in ('created', 'retry') and data->>'type' = 'ticket.card'
              and data->>'ticketId' = any($2::text[])
            for update`,
          [OUTBOUND_QUEUE, cardTickets],
        );
        for (const row of rows as { ticket_id: string }[]) waiting.add(row.ticket_id);
      }
      const batch = deliveries.filter((job) => {
        if (job.type !== 'ticket.card') return true;
        const ticket = String(job.ticketId);
        if (waiting.has(ticket)) return false;
        waiting.add(ticket);
        return true;
      });
      if (batch.length === 0) return;
      // One transaction's jobs share their creation time: ids that sort in this order keep it per chat.
      const ids = orderedIds(batch.length);
      await boss.insert(
        OUTBOUND_QUEUE,
        batch.map((job, index) => ({ id: ids[index], data: job, singletonKey: chatKey(job) })),
        { db },
      );
      wakeAfterCommit(tx, OUTBOUND_QUEUE, 0);
    },
  };

  const dueWatch = startDueWatch({
    sql: boss.getDb(),
    queues: [OUTBOUND_QUEUE, TIMER_QUEUE],
    wake,
    supervise: () => boss.supervise(),
    onError: (error) => logger.warn({ err: error }, 'job queue: due watch failed; looking again later'),
    intervalMs: DUE_WATCH_MS,
    maintenanceMs: MAINTENANCE_MS,
  });

  return {
    outbox,

    /**
     * Runs `handler` for every job; a thrown error retries the job later (with backoff), in order per
     * chat. Several outbound workers run at once (never two jobs of one chat: the queue is strict FIFO
     * per key), so a delivery waiting on Telegram's limits for one chat (the group's 20 per minute)
     * does not hold up the others. A worker that finished a job fetches again at once: a backlog
     * drains at the speed of Telegram, not of the polling interval.
     */
    async work(handler: OutboundHandler) {
      const run = async (jobs: JobWithMetadata<OutboundJob>[]) => {
        for (const job of jobs) {
          try {
            await handler(job.data);
          } catch (error) {
            // A job that ends as `failed` would hold back its chat's FIFO key: the last attempt gives
            // up (loudly) instead.
            if (job.retryCount < job.retryLimit) {
              metrics?.retried(job.data.type);
              // Retried after its backoff (a second or more): the watch learns when, and wakes a worker then.
              dueWatch.lookWithin(1000);
              throw error;
            }
            metrics?.givenUp(job.data.type);
            logger.error({ err: error, job: job.data, attempts: job.retryCount + 1 }, 'delivery given up');
          }
        }
      };
      const startWorkers = async (queue: string, count: number) => {
        const states = workers.get(queue) as { id: string; busy: boolean }[];
        for (let index = 0; index < count; index += 1) {
          const state = { id: '', busy: false };
          state.id = await boss.work<OutboundJob>(
            queue,
            { pollingIntervalSeconds: IDLE_POLL_SECONDS, includeMetadata: true },
            async (jobs) => {
              state.busy = true;
              // Where there was one job there may be more (for other chats): an idle sibling fetches too.
              wake(queue);
              try {
                await run(jobs as JobWithMetadata<OutboundJob>[]);
              } finally {
                state.busy = false;
                // A backlog drains at the speed of Telegram, not of the watch: fetch again at once.
                boss.notifyWorker(state.id);
              }
            },
          );
          states.push(state);
        }
      };
      await startWorkers(OUTBOUND_QUEUE, outboundWorkers);
      await startWorkers(TIMER_QUEUE, 1);
    },

    /**
     * Wakes an idle outbound worker now instead of at the due watch's next look (jobs enqueued by another
     * instance: this process's own enqueues wake their worker after the commit). Busy workers fetch again
     * by themselves when they finish.
     */
    nudge() {
      wake(OUTBOUND_QUEUE);
    },

    /**
     * Telegram deliveries not sent yet: how many wait (to be sent or retried) and since when the oldest.
     * One indexed query (pg-boss's partial index on waiting jobs), cheap enough for every /readyz.
     */
    async backlog(): Promise<DeliveryBacklog> {
      const { rows } = await boss.getDb().executeSql(
        `select count(*)::int as waiting, min(created_on) as oldest
           from pgboss.job where name = $1 and state < 'active'`,
        [OUTBOUND_QUEUE],
      );
      const row = rows[0] as { waiting: number; oldest: Date | string | null } | undefined;
      return {
        waiting: Number(row?.waiting ?? 0),
        oldestCreatedAt: row?.oldest ? new Date(row.oldest) : null,
      };
    },

    async stop() {
      await dueWatch.stop();
      await boss.stop({ graceful: true, timeout: 5000 });
    },
  };
}

type QueueOptions = Record<string, number | boolean>;

/**
 * Creates the queues that do not exist and brings the options of existing ones up to date (an older
 * installation's); one query when all are as they should be, as on every start but the first.
 */
async function ensureQueues(
  boss: PgBoss,
  queues: { name: string; policy?: 'key_strict_fifo'; options: QueueOptions }[],
) {
  const existing = new Map(
    (await boss.getQueues(queues.map((queue) => queue.name))).map((queue) => [queue.name, queue]),
  );
  for (const { name, policy, options } of queues) {
    const current = existing.get(name) as Record<string, unknown> | undefined;
    if (!current) {
      await boss.createQueue(name, { ...(policy ? { policy } : {}), ...options });
    } else if (Object.entries(options).some(([option, value]) => current[option] !== value)) {
      await boss.updateQueue(name, options);
    }
  }
}
