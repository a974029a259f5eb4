import type { ScenarioResult } from '../lib/report.ts';
import { createDatabase, type DatabaseKind, startServer } from '../lib/server.ts';
import { ms, summarize } from '../lib/stats.ts';

const RUNS = 3;

/**
 * `npm start` cold: spawn of `node main.ts` → first 200 of /healthz (no bot token, as a first start),
 * on a new database (PGlite: a new DATA_DIR, initialised and migrated; PostgreSQL: an empty database,
 * migrated) and on an existing one. Baseline: the bare Koa + ORM server on the existing database.
 */
export async function coldStart(kind: DatabaseKind, serverUrl: string): Promise<ScenarioResult> {
  const fresh: number[] = [];
  const existing: number[] = [];
  const bare: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    const database = await createDatabase(kind, serverUrl);
    try {
      const first = await startServer(database.env);
      fresh.push(first.startMs);
      await first.stop();
      const again = await startServer(database.env);
      existing.push(again.startMs);
      await again.stop();
      const baseline = await startServer(database.env, { script: 'bench/baseline-server.ts' });
      bare.push(baseline.startMs);
      await baseline.stop();
    } finally {
      await database.drop();
    }
  }
  const median = (values: number[]) => summarize(values).p50;
  return {
    scenario: 'cold-start',
    database: kind,
    rows: [
      {
        scenario: 'cold start (npm start → /healthz 200)',
        metric: `new data (median of ${RUNS})`,
        value: ms(median(fresh)),
        baseline: `${ms(median(bare))} (bare Koa + ORM)`,
        comparison: `+${ms(median(fresh) - median(bare))}`,
      },
      {
        scenario: 'cold start (npm start → /healthz 200)',
        metric: `existing data (median of ${RUNS})`,
        value: ms(median(existing)),
        baseline: `${ms(median(bare))} (bare Koa + ORM)`,
        comparison: `+${ms(median(existing) - median(bare))}`,
      },
    ],
    data: { freshMs: fresh, existingMs: existing, bareMs: bare },
  };
}
