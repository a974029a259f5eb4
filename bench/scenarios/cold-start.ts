import type { ScenarioResult } from '../lib/report.ts';
import { createDatabase, type DatabaseKind, startServer } from '../lib/server.ts';
import { ms, summarize } from '../lib/stats.ts';
import { startTelegram } from '../lib/telegram.ts';

const RUNS = 3;

/**
 * The real `npm start` with a bot token (the fake Bot API, webhook mode, a support group), cold: spawn →
 * first 200 of /healthz, which the server answers only once it listens, i.e. with its database migrated
 * and its job queue started. On a new database (PGlite: a new DATA_DIR; PostgreSQL: an empty database)
 * and on an existing one. CPU: the server process's user + system time up to that answer. Baseline: the
 * bare Koa + ORM server (`node bench/baseline-server.ts`) on the existing database.
 */
export async function coldStart(kind: DatabaseKind, serverUrl: string): Promise<ScenarioResult> {
  const telegram = await startTelegram(0);
  const fresh: { ms: number; cpuMs: number }[] = [];
  const existing: { ms: number; cpuMs: number }[] = [];
  const bare: { ms: number; cpuMs: number }[] = [];
  try {
    for (let run = 0; run < RUNS; run += 1) {
      const database = await createDatabase(kind, serverUrl);
      const env = { ...database.env, ...telegram.env };
      try {
        const first = await startServer(env, { npmStart: true });
        fresh.push({ ms: first.startMs, cpuMs: first.startCpuMs });
        await first.stop();
        const again = await startServer(env, { npmStart: true });
        existing.push({ ms: again.startMs, cpuMs: again.startCpuMs });
        await again.stop();
        const baseline = await startServer(database.env, { script: 'bench/baseline-server.ts' });
        bare.push({ ms: baseline.startMs, cpuMs: baseline.startCpuMs });
        await baseline.stop();
      } finally {
        await database.drop();
      }
    }
  } finally {
    await telegram.fake.close();
  }
  const median = (values: number[]) => summarize(values).p50;
  const wall = (runs: { ms: number }[]) => median(runs.map((r) => r.ms));
  const cpu = (runs: { cpuMs: number }[]) => median(runs.map((r) => r.cpuMs));
  const row = (metric: string, runs: { ms: number; cpuMs: number }[], goalMs: number) => ({
    scenario: 'cold start (npm start, bot token → /healthz 200)',
    metric: `${metric} (median of ${RUNS}; goal ≤ ${ms(goalMs)})`,
    value: `${ms(wall(runs))}, CPU ${ms(cpu(runs))}`,
    baseline: `${ms(wall(bare))}, CPU ${ms(cpu(bare))} (bare Koa + ORM)`,
    comparison: `${wall(runs) >= wall(bare) ? '+' : '−'}${ms(Math.abs(wall(runs) - wall(bare)))}`,
  });
  return {
    scenario: 'cold-start',
    database: kind,
    rows: [row('new data', fresh, 2000), row('existing data', existing, 1200)],
    data: { fresh, existing, bare },
  };
}
