import { execSync } from 'node:child_process';
import { mapLimit } from '../lib/http.ts';
import type { ScenarioResult } from '../lib/report.ts';
import { seedSessions } from '../lib/seed.ts';
import { type BenchDatabase, type ServerProcess, startServer } from '../lib/server.ts';
import { openSse, type SseStream } from '../lib/sse.ts';
import { round, sleep } from '../lib/stats.ts';

export type SseOptions = { connections: number };

/** The goal: an idle stream costs at most this many times a bare node:http stream. */
const GOAL_RATIO = 1.3;
/** Streams are added in this many equal steps; memory is read after each. */
const STEPS = 5;
/** Streams opened at once within a step. */
const STEP_CONCURRENCY = 100;

/**
 * Memory per idle event stream of the server process (`node main.ts`, no bot) against a bare node:http
 * server sending the same bytes (bench/sse-baseline-server.ts), both measured the same way: streams are
 * added in steps once the code paths are warm, and after each step the server's live memory is read
 * after a full GC (bench/lib/memory-probe.ts); the cost per stream is the slope of a least-squares line
 * through those points, of heap + external (what the JavaScript keeps alive) and of RSS (with the
 * sockets' native memory; noisier, as the allocator keeps freed pages).
 */
export async function sseMemory(database: BenchDatabase, options: SseOptions): Promise<ScenarioResult> {
  const openFiles = Number(execSync('ulimit -n', { shell: '/bin/sh' }).toString().trim());
  if (openFiles < options.connections + 500) {
    throw new Error(
      `ulimit -n is ${openFiles}: raise it above ${options.connections + 500} (ulimit -n 20000) or use --connections`,
    );
  }
  const sessions = await seedSessions(database, options.connections);
  // Every stream comes from loopback: one address.
  const server = await startServer(
    { ...database.env, EVENT_STREAMS_PER_IP: '1000000' },
    { memoryProbe: true },
  );
  // The same requests for both: a visitor's stream with its token (the bare server ignores it).
  const streamOf = (url: string) => (i: number) => {
    const session = sessions[i] as (typeof sessions)[number];
    return openSse(`${url}/api/session/${session.sessionId}/events`, session.token);
  };
  let product: Measured;
  try {
    product = await measure(server, streamOf(server.url), options.connections);
  } finally {
    await server.stop();
  }
  const bare = await startServer({}, { script: 'bench/sse-baseline-server.ts', memoryProbe: true });
  let baseline: Measured;
  try {
    baseline = await measure(bare, streamOf(bare.url), options.connections);
  } finally {
    await bare.stop();
  }
  const kb = (bytes: number) => `${round(bytes / 1024, 2)} KB`;
  const ratio = (of: keyof Slopes) => round(product.slopes[of] / baseline.slopes[of], 2);
  const scenario = `SSE memory (${options.connections} idle streams)`;
  return {
    scenario: 'sse-memory',
    database: database.kind,
    rows: [
      {
        scenario,
        metric: 'heap + external per stream',
        value: kb(product.slopes.live),
        baseline: `${kb(baseline.slopes.live)} (bare node:http stream)`,
        comparison: `${ratio('live')}× (goal ≤ ${GOAL_RATIO}×)`,
      },
      {
        scenario,
        metric: 'RSS per stream',
        value: kb(product.slopes.rss),
        baseline: `${kb(baseline.slopes.rss)} (bare node:http stream)`,
        comparison: `${ratio('rss')}×; RSS ${mb(product.points[0]?.rss)} → ${mb(product.points.at(-1)?.rss)}`,
      },
    ],
    data: { options, openFiles, product, baseline },
  };
}

const mb = (bytes = 0) => `${round(bytes / 2 ** 20, 1)} MB`;

type Point = { streams: number; live: number; rss: number };
type Slopes = { live: number; rss: number };
type Measured = { points: Point[]; slopes: Slopes };

/** Memory at 0 and after each of STEPS additions of count / STEPS idle streams, and its slope per stream. */
async function measure(
  server: ServerProcess,
  open: (index: number) => Promise<SseStream>,
  count: number,
): Promise<Measured> {
  const streams: SseStream[] = [];
  const points: Point[] = [];
  const sample = async () => {
    // Let the server finish what follows each opening (its log line, the first events) first.
    await sleep(500);
    const memory = await server.memory();
    points.push({ streams: streams.length, live: memory.heapUsed + memory.external, rss: memory.rss });
  };
  try {
    // Warm-up, one step's worth of streams opened as a step opens them, then closed: what is measured is
    // what each further stream keeps, not the first use of the code paths nor the one-time growth of the
    // heap and the allocator that opening a hundred streams at once causes (the server kept ~56 MB more
    // of it than the bare one after a 200-stream warm-up, which the slope used to count as per stream).
    const warm = await mapLimit(
      Array.from({ length: Math.round(count / STEPS) }, (_, i) => i),
      STEP_CONCURRENCY,
      open,
    );
    for (const stream of warm) stream.close();
    await sleep(1000);
    await sample();
    for (let step = 1; step <= STEPS; step++) {
      const from = streams.length;
      const to = Math.round((count * step) / STEPS);
      const indexes = Array.from({ length: to - from }, (_, i) => from + i);
      streams.push(...(await mapLimit(indexes, STEP_CONCURRENCY, open)));
      await sample();
    }
    return { points, slopes: { live: slope(points, 'live'), rss: slope(points, 'rss') } };
  } finally {
    for (const stream of streams) stream.close();
  }
}

/** The least-squares slope of `of` against the number of streams. */
function slope(points: Point[], of: keyof Slopes): number {
  const n = points.length;
  const meanX = points.reduce((sum, point) => sum + point.streams, 0) / n;
  const meanY = points.reduce((sum, point) => sum + point[of], 0) / n;
  let covariance = 0;
  let variance = 0;
  for (const point of points) {
    covariance += (point.streams - meanX) * (point[of] - meanY);
    variance += (point.streams - meanX) ** 2;
  }
  return covariance / variance;
}
