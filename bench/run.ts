/**
 * `npm run bench`: Switchboard's performance figures, each next to a baseline measured in the same run,
 * on embedded PGlite and on PostgreSQL. Loopback only: the product runs as a separate `node main.ts`
 * process against the fake Telegram Bot API (test/fake-telegram/) running in this process.
 *
 *   npm run bench                          # every scenario, both databases, default sizes (bounded)
 *   npm run bench -- --db pglite           # one database (pglite | postgresql | both)
 *   npm run bench -- --only ingest,push    # some scenarios
 *   npm run bench -- --full                # the sizes for the Telegram-limits burst (≥ 9 min)
 *   npm run bench -- --quick               # small sizes, for development
 *   npm run bench -- --only idle --idle-seconds 120   # statements per minute with nothing happening
 *   npm run bench -- --only scale-out --db postgresql # visitor messages through a proxy, 1 vs 3 instances
 *
 * PostgreSQL: BENCH_DATABASE_URL, else DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres
 * (a fresh database is created per scenario and dropped after). Results: a table on stdout and JSON in
 * bench/results/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, freemem, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type ScenarioResult, table } from './lib/report.ts';
import { createDatabase, type DatabaseKind, postgresReachable, ROOT } from './lib/server.ts';
import { coldStart } from './scenarios/cold-start.ts';
import { costGrowth } from './scenarios/cost-growth.ts';
import { idle } from './scenarios/idle.ts';
import { ingest } from './scenarios/ingest.ts';
import { pushAndRelay } from './scenarios/push-relay.ts';
import { scaleOut } from './scenarios/scale-out.ts';
import { sseMemory } from './scenarios/sse-memory.ts';
import { telegramLimits } from './scenarios/telegram-limits.ts';
import { widgetWeight } from './scenarios/widget-weight.ts';

const SCENARIOS = [
  'ingest',
  'push',
  'limits',
  'sse',
  'widget',
  'cold-start',
  'idle',
  'cost-growth',
  'scale-out',
] as const;
type Scenario = (typeof SCENARIOS)[number];

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'both' },
    only: { type: 'string' },
    full: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    sessions: { type: 'string' },
    'ingest-seconds': { type: 'string' },
    idle: { type: 'string' },
    'push-samples': { type: 'string' },
    'relay-samples': { type: 'string' },
    tickets: { type: 'string' },
    'agent-messages': { type: 'string' },
    agents: { type: 'string' },
    connections: { type: 'string' },
    'idle-seconds': { type: 'string' },
  },
});

const quick = values.quick;
const number = (value: string | undefined, fallback: number) =>
  value === undefined ? fallback : Number(value);
const sizes = {
  ingest: {
    sessions: number(values.sessions, 50),
    seconds: number(values['ingest-seconds'], quick ? 3 : 8),
    warmupSeconds: quick ? 1 : 2,
  },
  push: {
    idle: number(values.idle, quick ? 100 : 1000),
    pushSamples: number(values['push-samples'], quick ? 20 : 300),
    relaySamples: number(values['relay-samples'], quick ? 20 : 100),
  },
  limits: {
    // By default small enough to need no wait for the group's minute (set-up + burst ≤ 20 group messages).
    tickets: number(values.tickets, values.full ? 200 : quick ? 5 : 10),
    agentMessages: number(values['agent-messages'], values.full ? 1000 : quick ? 20 : 100),
    agents: number(values.agents, values.full ? 20 : quick ? 4 : 5),
  },
  sse: { connections: number(values.connections, quick ? 500 : 5000) },
  costGrowth: { sizes: quick ? [10, 1000] : [10, 1000, 10_000], samples: quick ? 10 : 30 },
  idle: { settleSeconds: quick ? 5 : 15, seconds: number(values['idle-seconds'], quick ? 30 : 60) },
  scaleOut: { sessions: number(values.sessions, 50), seconds: quick ? 3 : 8, warmupSeconds: quick ? 1 : 2 },
};

const only = new Set((values.only?.split(',') ?? SCENARIOS) as Scenario[]);
for (const name of only) if (!SCENARIOS.includes(name)) throw new Error(`unknown scenario ${name}`);
const serverUrl =
  process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const requested = (values.db === 'both' ? 'pglite,postgresql' : (values.db ?? '')).split(
  ',',
) as DatabaseKind[];
for (const kind of requested) {
  if (kind !== 'pglite' && kind !== 'postgresql')
    throw new Error(`--db: pglite, postgresql or both, not ${kind}`);
}
const databases: DatabaseKind[] = [];
const notes: string[] = [];
for (const kind of requested) {
  if (kind === 'postgresql') {
    const problem = await postgresReachable(serverUrl);
    if (problem) {
      notes.push(`PostgreSQL skipped: ${redact(serverUrl)} is not reachable (${problem})`);
      continue;
    }
  }
  databases.push(kind);
}

const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGb: Math.round(totalmem() / 2 ** 30),
  freeMemoryGb: Math.round(freemem() / 2 ** 30),
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
};
console.log(
  `Switchboard bench — ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB, Node ${machine.node}; ` +
    `databases: ${databases.join(', ') || 'none'}`,
);
for (const note of notes) console.log(note);

const results: ScenarioResult[] = [];
const run = async (label: string, task: () => Promise<ScenarioResult | ScenarioResult[]>) => {
  const started = Date.now();
  process.stdout.write(`• ${label} … `);
  try {
    const result = await task();
    const seconds = Math.round((Date.now() - started) / 100) / 10;
    for (const item of [result].flat()) results.push({ ...item, durationSeconds: seconds });
    console.log(`${seconds} s`);
  } catch (error) {
    console.log('failed');
    console.error(error);
    notes.push(`${label} failed: ${(error as Error).message.split('\n')[0]}`);
  }
};
const withDatabase = async <T>(
  kind: DatabaseKind,
  task: (database: Awaited<ReturnType<typeof createDatabase>>) => Promise<T>,
) => {
  const database = await createDatabase(kind, serverUrl);
  try {
    return await task(database);
  } finally {
    await database.drop();
  }
};

if (only.has('widget')) await run('widget weight', async () => widgetWeight());
for (const kind of databases) {
  if (only.has('ingest'))
    await run(`ingest on ${kind}`, () => withDatabase(kind, (db) => ingest(db, sizes.ingest)));
  if (only.has('push'))
    await run(`push + relay on ${kind}`, () => withDatabase(kind, (db) => pushAndRelay(db, sizes.push)));
  if (only.has('limits'))
    await run(`Telegram limits on ${kind}`, () =>
      withDatabase(kind, (db) => telegramLimits(db, sizes.limits)),
    );
  if (only.has('sse'))
    await run(`SSE memory on ${kind}`, () => withDatabase(kind, (db) => sseMemory(db, sizes.sse)));
  if (only.has('idle')) await run(`idle on ${kind}`, () => withDatabase(kind, (db) => idle(db, sizes.idle)));
  if (only.has('cost-growth'))
    await run(`cost growth on ${kind}`, () => withDatabase(kind, (db) => costGrowth(db, sizes.costGrowth)));
  if (only.has('cold-start')) await run(`cold start on ${kind}`, () => coldStart(kind, serverUrl));
  if (only.has('scale-out'))
    await run(`scale-out (1 vs 3 instances) on ${kind}`, () =>
      withDatabase(kind, (db) => scaleOut(db, sizes.scaleOut)),
    );
}

console.log();
console.log(table(results));
for (const note of notes) console.log(`note: ${note}`);

const directory = join(ROOT, 'bench/results');
mkdirSync(directory, { recursive: true });
const file = join(directory, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(
  file,
  `${JSON.stringify({ at: new Date().toISOString(), machine, sizes, databases, notes, results }, null, 2)}\n`,
);
console.log(`\nJSON: ${file}`);
process.exit(0);

function redact(url: string) {
  return url.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');
}
