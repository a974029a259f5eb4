/** Queries the watch needs from pg-boss's database (its `executeSql`). */
type Sql = { executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> };

/** What one look found for one queue. */
export type QueueLook = {
  name: string;
  /** A job waits whose time has come (new, a retry after its backoff, a timer that is due). */
  due: boolean;
  /** When the next waiting job that is not due yet becomes due. */
  nextAt: Date | null;
  /** An active job whose worker stopped proving it alive (a crashed or killed process), or past its expiry. */
  stalled: boolean;
};

/**
 * One statement answering, for each queue: is a job due now, when is the next one due, and is an active job
 * stalled. Each part is an indexed probe of pg-boss's waiting or active jobs, so a look costs the same with
 * 10 or 10,000 jobs waiting.
 */
const LOOK = `
  select q.name,
    exists (select 1 from pgboss.job j
             where j.name = q.name and j.state < 'active' and j.start_after <= now()) as due,
    (select min(j.start_after) from pgboss.job j
      where j.name = q.name and j.state < 'active' and j.start_after > now()) as next_at,
    exists (select 1 from pgboss.job j
             where j.name = q.name and j.state = 'active'
               and ((j.heartbeat_seconds is not null
                     and j.heartbeat_on + j.heartbeat_seconds * interval '1s' < now())
                    or j.started_on + j.expire_seconds * interval '1s' < now())) as stalled
    from unnest($1::text[]) as q(name)`;

/**
 * Instead of every worker polling its queue several times a second, one look every `intervalMs` (or
 * sooner, when the next retry or timer is due earlier) finds the queues with work whose time has come and
 * wakes their workers (`wake`). Jobs enqueued by this process wake their worker right after the commit
 * (jobs/job-queue.ts), so the watch is the backstop: retries after their backoff, scheduled timers, jobs
 * enqueued by another instance, and stalled jobs of a dead worker (`supervise` fails them back to retry).
 * A job waits at most `intervalMs` beyond its time in the worst case.
 */
export function startDueWatch({
  sql,
  queues,
  wake,
  supervise,
  onError,
  intervalMs,
  maintenanceMs,
}: {
  sql: Sql;
  queues: string[];
  wake: (queue: string) => void;
  /** pg-boss's supervision: expires stalled jobs into retry (and, hourly, its housekeeping). */
  supervise: () => Promise<void>;
  onError: (error: unknown) => void;
  intervalMs: number;
  /** How often pg-boss's housekeeping (deleting old finished jobs) runs. */
  maintenanceMs: number;
}) {
  /** The shortest wait between looks: a retry due "now" must not spin the watch. */
  const MIN_DELAY_MS = 50;
  let timer: NodeJS.Timeout | undefined;
  let nextLookAt = Number.POSITIVE_INFINITY;
  let running: Promise<void> | undefined;
  let stopped = false;
  let lastMaintenance = Date.now();

  const schedule = (delayMs: number) => {
    if (stopped) return;
    const at = Date.now() + Math.max(MIN_DELAY_MS, delayMs);
    if (timer && at >= nextLookAt) return;
    clearTimeout(timer);
    nextLookAt = at;
    timer = setTimeout(() => {
      timer = undefined;
      nextLookAt = Number.POSITIVE_INFINITY;
      void look();
    }, at - Date.now());
    timer.unref();
  };

  const lookOnce = async () => {
    const { rows } = await sql.executeSql(LOOK, [queues]);
    let nextDelay = intervalMs;
    let stalled = false;
    for (const row of rows as {
      name: string;
      due: boolean;
      next_at: Date | string | null;
      stalled: boolean;
    }[]) {
      if (row.due) wake(row.name);
      if (row.stalled) stalled = true;
      if (row.next_at) nextDelay = Math.min(nextDelay, new Date(row.next_at).getTime() - Date.now());
    }
    if (stalled || Date.now() - lastMaintenance >= maintenanceMs) {
      lastMaintenance = Date.now();
      await supervise();
      // What supervision failed back into retry is due after its backoff: look again soon.
      if (stalled) nextDelay = Math.min(nextDelay, 1000);
    }
    return nextDelay;
  };

  const look = (): Promise<void> => {
    running ??= lookOnce()
      .then(schedule, (error: unknown) => {
        onError(error);
        schedule(intervalMs);
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  schedule(0);
  return {
    /** Looks again within `delayMs` (a timer this process enqueued becomes due then). */
    lookWithin: schedule,
    /** Looks now (tests; and once at start). */
    lookNow: look,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
