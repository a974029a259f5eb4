import { join } from 'node:path';
import type { ScenarioResult } from '../lib/report.ts';
import { type BenchDatabase, startServer } from '../lib/server.ts';
import { statementCounting, statementsBetween } from '../lib/statement-counter.ts';
import { round, sleep } from '../lib/stats.ts';
import { startTelegram } from '../lib/telegram.ts';

export type IdleOptions = { settleSeconds: number; seconds: number };

/** The goal of issue 15: a server with nothing to do barely touches its database. */
const GOAL_PER_MINUTE = 12;

/**
 * Database statements per minute of a server with nothing happening: the product as shipped (bot
 * connected in webhook mode, agents started), no visitor, no update. Counted at the drivers
 * (bench/lib/statement-counter.ts) over `seconds`, after `settleSeconds` for start-up work to finish.
 */
export async function idle(database: BenchDatabase, options: IdleOptions): Promise<ScenarioResult> {
  const telegram = await startTelegram(2);
  const counting = statementCounting(join(database.dataDir, 'statements.json'));
  const server = await startServer({ ...database.env, ...telegram.env, ...counting.env });
  let perMinute: number;
  let counted: number;
  try {
    await telegram.connect(server.url);
    await sleep(options.settleSeconds * 1000);
    const before = await counting.snapshot(server.pid);
    await sleep(options.seconds * 1000);
    counted = statementsBetween(before, await counting.snapshot(server.pid));
    perMinute = (counted * 60) / options.seconds;
  } finally {
    await server.stop();
    await telegram.fake.close();
  }
  return {
    scenario: 'idle',
    database: database.kind,
    rows: [
      {
        scenario: `idle (${options.seconds} s, bot connected)`,
        metric: 'database statements / min',
        value: `${round(perMinute, 1)}`,
        baseline: `${GOAL_PER_MINUTE} (goal)`,
        comparison:
          perMinute <= GOAL_PER_MINUTE ? 'goal met' : `×${round(perMinute / GOAL_PER_MINUTE, 1)} the goal`,
      },
    ],
    data: { options, statements: counted, perMinute },
  };
}
