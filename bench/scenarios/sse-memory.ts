import { execSync } from 'node:child_process';
import { mapLimit } from '../lib/http.ts';
import type { ScenarioResult } from '../lib/report.ts';
import { seedSessions } from '../lib/seed.ts';
import { type BenchDatabase, startServer } from '../lib/server.ts';
import { openSse, type SseStream } from '../lib/sse.ts';
import { round, sleep } from '../lib/stats.ts';

export type SseOptions = { connections: number };

const mb = (bytes: number) => `${round(bytes / 2 ** 20, 1)} MB`;

/**
 * Resident memory of the server process (`node main.ts`, no bot) per idle event stream: RSS with
 * `connections` streams open minus RSS before, once sessions exist and the code paths are warm.
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
  const server = await startServer({ ...database.env, EVENT_STREAMS_PER_IP: '1000000' });
  let product: Measured;
  try {
    product = await measure(
      server,
      (i) => {
        const session = sessions[i] as (typeof sessions)[number];
        return openSse(`${server.url}/api/session/${session.sessionId}/events`, session.token);
      },
      options.connections,
    );
  } finally {
    await server.stop();
  }
  const bare = await startServer({}, { script: 'bench/sse-baseline-server.ts' });
  let baseline: Measured;
  try {
    baseline = await measure(bare, (i) => openSse(`${bare.url}/events/${i}`, 'unused'), options.connections);
  } finally {
    await bare.stop();
  }
  const kb = (bytes: number) => `${round(bytes / 1024, 1)} KB`;
  return {
    scenario: 'sse-memory',
    database: database.kind,
    rows: [
      {
        scenario: `SSE memory (${options.connections} idle streams)`,
        metric: 'RSS per connection',
        value: kb(product.perConnection),
        baseline: `${kb(baseline.perConnection)} (bare node:http stream)`,
        comparison: `RSS ${mb(product.before)} → ${mb(product.after)}`,
      },
    ],
    data: { options, openFiles, product, baseline },
  };
}

type Measured = { before: number; after: number; perConnection: number };

/** RSS of the server before and with `count` idle streams open (after a warm-up of 200 opened and closed). */
async function measure(
  server: { rss(): number },
  open: (index: number) => Promise<SseStream>,
  count: number,
): Promise<Measured> {
  const streams: SseStream[] = [];
  const indexes = Array.from({ length: count }, (_, i) => i);
  try {
    // Warm-up: what is measured is the streams, not the first use of the code paths.
    const warm = await mapLimit(indexes.slice(0, 200), 50, open);
    for (const stream of warm) stream.close();
    await sleep(2000);
    const before = server.rss();
    streams.push(...(await mapLimit(indexes, 100, open)));
    await sleep(3000);
    const after = server.rss();
    return { before, after, perConnection: (after - before) / count };
  } finally {
    for (const stream of streams) stream.close();
  }
}
