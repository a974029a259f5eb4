import { closedLoop, mapLimit, newSession, postJson, request } from '../lib/http.ts';
import type { ScenarioResult } from '../lib/report.ts';
import { type BenchDatabase, startServer } from '../lib/server.ts';
import { ms, round, summarize } from '../lib/stats.ts';
import { startTelegram } from '../lib/telegram.ts';

export type IngestOptions = { sessions: number; seconds: number; warmupSeconds: number };

/**
 * Visitor `POST /api/session/:id/messages` at `sessions` concurrent sessions (closed loop: each sends
 * its next message when the previous one answered), against a bare Koa route doing one INSERT into the
 * same database. The product runs as shipped (bot configured, every message enqueues its Telegram
 * delivery in the same transaction); only the per-session rate limit is raised.
 */
export async function ingest(database: BenchDatabase, options: IngestOptions): Promise<ScenarioResult> {
  const telegram = await startTelegram(1);
  const server = await startServer({
    ...database.env,
    ...telegram.env,
    RATE_LIMIT_MESSAGES: '1000000',
    RATE_LIMIT_SESSIONS: '1000000',
  });
  let product: Awaited<ReturnType<typeof closedLoop>>;
  try {
    await telegram.connect(server.url);
    const sessions = await mapLimit(
      Array.from({ length: options.sessions }, (_, i) => i),
      10,
      async () => {
        const session = await newSession(server.url);
        // The first message opens the ticket; the loop measures messages on open tickets.
        await postJson(
          `${server.url}/api/session/${session.sessionId}/messages`,
          { body: 'hello' },
          session.token,
        );
        return session;
      },
    );
    product = await closedLoop({
      clients: options.sessions,
      seconds: options.seconds,
      warmupMs: options.warmupSeconds * 1000,
      send: (client, n) => {
        const session = sessions[client] as (typeof sessions)[number];
        return request(`${server.url}/api/session/${session.sessionId}/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${session.token}` },
          body: JSON.stringify({ body: `Message ${n} from session ${client}: my order has not arrived yet` }),
        });
      },
    });
  } finally {
    await server.stop();
    await telegram.fake.close();
  }

  const baselineServer = await startServer(database.env, { script: 'bench/baseline-server.ts' });
  let baseline: Awaited<ReturnType<typeof closedLoop>>;
  try {
    const ids = Array.from({ length: options.sessions }, () => crypto.randomUUID());
    baseline = await closedLoop({
      clients: options.sessions,
      seconds: options.seconds,
      warmupMs: options.warmupSeconds * 1000,
      send: (client, n) =>
        request(`${baselineServer.url}/bench/session/${ids[client]}/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Bearer unused' },
          body: JSON.stringify({ body: `Message ${n} from session ${client}: my order has not arrived yet` }),
        }),
    });
  } finally {
    await baselineServer.stop();
  }

  const rate = (result: typeof product) => result.ok / result.seconds;
  const productLatency = summarize(product.latencies);
  const baselineLatency = summarize(baseline.latencies);
  const scenario = `ingest (${options.sessions} sessions)`;
  return {
    scenario: 'ingest',
    database: database.kind,
    rows: [
      {
        scenario,
        metric: 'messages/s',
        value: `${round(rate(product), 0)}`,
        baseline: `${round(rate(baseline), 0)} (bare INSERT)`,
        comparison: `${round((100 * rate(product)) / rate(baseline), 0)}% of baseline`,
      },
      {
        scenario,
        metric: 'latency p50 / p99',
        value: `${ms(productLatency.p50)} / ${ms(productLatency.p99)}`,
        baseline: `${ms(baselineLatency.p50)} / ${ms(baselineLatency.p99)}`,
        comparison: `×${round(productLatency.p50 / baselineLatency.p50, 1)} / ×${round(productLatency.p99 / baselineLatency.p99, 1)}`,
      },
      ...(product.failed + baseline.failed > 0
        ? [
            {
              scenario,
              metric: 'failed requests',
              value: String(product.failed),
              baseline: String(baseline.failed),
              comparison: '',
            },
          ]
        : []),
    ],
    data: {
      options,
      product: {
        ok: product.ok,
        failed: product.failed,
        perSecond: rate(product),
        latencyMs: productLatency,
      },
      baseline: {
        ok: baseline.ok,
        failed: baseline.failed,
        perSecond: rate(baseline),
        latencyMs: baselineLatency,
      },
    },
  };
}
