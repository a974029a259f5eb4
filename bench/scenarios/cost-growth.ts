import { performance } from 'node:perf_hooks';
import { createLogger } from '../../app/logger.ts';
import { createInProcessEventBus } from '../../core/event-bus.ts';
import { createServices } from '../../core/services.ts';
import { createOrm, migrate, type Orm } from '../../db/orm.ts';
import { startJobQueue } from '../../jobs/job-queue.ts';
import type { ScenarioResult } from '../lib/report.ts';
import type { BenchDatabase } from '../lib/server.ts';
import { ms, round, summarize } from '../lib/stats.ts';

export type CostGrowthOptions = { sizes: number[]; samples: number };

/** Each ticket's conversation: this many visitor messages and agent replies, alternating. */
const MESSAGES_PER_TICKET = 10;

/**
 * What three reads cost as the database grows to `sizes` tickets (seeded by bulk SQL: most closed on
 * earlier days, a tenth not closed and without a card): a ticket's card render, the Mini App's today
 * stats, and requesting the missing cards after a group is bound (per card). The goal is flat (or
 * logarithmic) growth; the smallest size is the baseline. Runs in this process on the ORM, pg-boss
 * with no workers (the cards wait).
 */
export async function costGrowth(
  database: BenchDatabase,
  options: CostGrowthOptions,
): Promise<ScenarioResult> {
  const orm = await createOrm(
    database.kind === 'postgresql'
      ? { kind: 'postgresql', url: database.url as string }
      : { kind: 'pglite', dataDir: `${database.dataDir}/pglite` },
  );
  await migrate(orm);
  const logger = createLogger({ level: 'silent' });
  const jobs = await startJobQueue({
    orm,
    databaseUrl: database.url,
    logger,
    afterHoursSeconds: 36_000,
  });
  const measured: {
    tickets: number;
    cardMs: number;
    statsMs: number;
    missingPerCardMs: number;
    cards: number;
  }[] = [];
  try {
    const services = () =>
      createServices({ em: orm.em.fork(), bus: createInProcessEventBus(), outbox: jobs.outbox });
    let seeded = 0;
    for (const size of options.sizes) {
      await seed(orm, seeded, size);
      seeded = size;
      await orm.em.getConnection().execute('analyze');
      // A ticket in the middle, with its whole conversation.
      const ticketId = Math.ceil(size / 2);
      const card = await timeEach(options.samples, () => services().desk.card(ticketId));
      const since = new Date();
      since.setUTCHours(0, 0, 0, 0);
      const stats = await timeEach(options.samples, () => services().agentConsole.todayStats(since));
      // The cards requested before would be merged: start from none waiting (once to warm up, once timed).
      const noneWaiting = () =>
        orm.em.getConnection().execute(`delete from pgboss.job where name = 'telegram-outbound'`);
      await noneWaiting();
      await services().tickets.requestMissingCards();
      await noneWaiting();
      const started = performance.now();
      const cards = await services().tickets.requestMissingCards();
      const missingMs = performance.now() - started;
      measured.push({
        tickets: size,
        cardMs: summarize(card).p50,
        statsMs: summarize(stats).p50,
        missingPerCardMs: missingMs / Math.max(1, cards),
        cards,
      });
    }
  } finally {
    await jobs.stop();
    await orm.close();
  }
  const first = measured[0] as (typeof measured)[number];
  const row = (metric: string, pick: (entry: (typeof measured)[number]) => number) => ({
    scenario: `cost growth (${measured.map((entry) => entry.tickets.toLocaleString('en')).join(' / ')} tickets)`,
    metric,
    value: measured.map((entry) => ms(pick(entry))).join(' / '),
    baseline: `${ms(pick(first))} (at ${first.tickets.toLocaleString('en')})`,
    comparison: measured.map((entry) => `×${round(pick(entry) / pick(first), 1)}`).join(' / '),
  });
  return {
    scenario: 'cost-growth',
    database: database.kind,
    rows: [
      row('card render, p50', (entry) => entry.cardMs),
      row('today stats, p50', (entry) => entry.statsMs),
      row('missing cards, per card', (entry) => entry.missingPerCardMs),
    ],
    data: { options, measured },
  };
}

async function timeEach(samples: number, task: () => Promise<unknown>): Promise<number[]> {
  await task();
  const times: number[] = [];
  for (let index = 0; index < samples; index += 1) {
    const started = performance.now();
    await task();
    times.push(performance.now() - started);
  }
  return times;
}

/**
 * Tickets `from + 1 … to` (ids in order), one session each, with their conversations: nine in ten closed
 * (spread over the past year, rated), one in ten open and without a card; every ticket's first reply an
 * hour after it opened.
 */
async function seed(orm: Orm, from: number, to: number) {
  const connection = orm.em.getConnection();
  const series = `generate_series(${from + 1}, ${to}) as n`;
  await connection.execute(
    `insert into support_sessions (id, created_at)
     select ('00000000-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid,
            now() - (n % 365) * interval '1 day' - interval '2 hours'
       from ${series}`,
  );
  await connection.execute(
    `insert into tickets (id, session_id, status, created_at, closed_at, rating, group_message_id)
     select n, ('00000000-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid,
            case when n % 10 = 0 then 'open' else 'closed' end,
            now() - (n % 365) * interval '1 day' - interval '2 hours',
            case when n % 10 = 0 then null else now() - (n % 365) * interval '1 day' end,
            case when n % 10 = 0 then null else 1 + n % 5 end,
            case when n % 10 = 0 then null else n end
       from ${series}`,
  );
  await connection.execute(`select setval(pg_get_serial_sequence('tickets', 'id'), ${to})`);
  await connection.execute(
    `insert into messages (ticket_id, session_id, sender, body, created_at)
     select n, ('00000000-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid,
            case when k % 2 = 0 then 'visitor' else 'agent' end,
            'Message ' || k || ' of ticket ' || n,
            now() - (n % 365) * interval '1 day' - interval '2 hours' + k * interval '1 hour' / ${MESSAGES_PER_TICKET}
       from ${series}, generate_series(0, ${MESSAGES_PER_TICKET - 1}) as k`,
  );
}
