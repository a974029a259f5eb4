import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRoundRobinProxy } from '../../test/support/round-robin-proxy.ts';
import { closedLoop, type LoadResult, request, sessionsWithOpenTickets } from '../lib/http.ts';
import type { ScenarioResult } from '../lib/report.ts';
import { type BenchDatabase, cpuMsOf, type ServerProcess, startServer } from '../lib/server.ts';
import { ms, round, summarize } from '../lib/stats.ts';
import { startTelegram } from '../lib/telegram.ts';

export type ScaleOutOptions = { sessions: number; seconds: number; warmupSeconds: number };

const SCENARIO = 'scale-out';

/**
 * Visitor message throughput through a round-robin proxy (test/support/round-robin-proxy.ts) in front of
 * one instance, then in front of three instances of the product (separate `node main.ts` processes) on the
 * same PostgreSQL database, with the same load: `sessions` concurrent sessions in a closed loop, each
 * sending its next `POST /api/session/:id/messages` when the previous one answered. The instances run as
 * shipped (bot connected to the fake Bot API, deliveries queued and sent); only the rate limit is raised.
 * The same sessions serve both runs (the three-instance run comes second, on the larger database).
 * PGlite is one process: one instance only, so the row does not apply there.
 */
export async function scaleOut(database: BenchDatabase, options: ScaleOutOptions): Promise<ScenarioResult> {
  const scenario = `${SCENARIO} (${options.sessions} sessions, via proxy)`;
  if (database.kind === 'pglite') {
    return {
      scenario: SCENARIO,
      database: database.kind,
      rows: [
        {
          scenario,
          metric: 'messages/s, 3 instances vs 1',
          value: 'does not apply',
          baseline: '',
          comparison: 'embedded PGlite is one process: several instances need PostgreSQL',
        },
      ],
      data: { options, applies: false },
    };
  }

  const telegram = await startTelegram(1);
  const servers: ServerProcess[] = [];
  const dataDirs: string[] = [];
  const start = async () => {
    // Each instance has its own DATA_DIR (media, dev secrets); the database is shared.
    const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-bench-instance-'));
    dataDirs.push(dataDir);
    const server = await startServer({
      ...database.env,
      DATA_DIR: dataDir,
      ...telegram.env,
      RATE_LIMIT_MESSAGES: '1000000',
      RATE_LIMIT_SESSIONS: '1000000',
    });
    servers.push(server);
    // Each bot registers its commands (two calls) once it reached the Bot API: then it is settled.
    await telegram.fake.waitFor(() => telegram.fake.callsOf('setMyCommands').length >= 2 * servers.length, {
      timeoutMs: 60_000,
    });
    return server;
  };

  const measure = async (instances: ServerProcess[], sessions: { sessionId: string; token: string }[]) => {
    const proxy = await startRoundRobinProxy(instances.map((server) => server.url));
    try {
      const cpuBefore = instances.map((server) => cpuMsOf(server.pid));
      let sent = 0;
      const result = await closedLoop({
        clients: options.sessions,
        seconds: options.seconds,
        warmupMs: options.warmupSeconds * 1000,
        send: (client, n) => {
          sent += 1;
          const session = sessions[client] as (typeof sessions)[number];
          return request(`${proxy.url}/api/session/${session.sessionId}/messages`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${session.token}` },
            body: JSON.stringify({
              body: `Message ${n} from session ${client}: my order has not arrived yet`,
            }),
          });
        },
      });
      const cpuMs = instances.reduce(
        (sum, server, index) => sum + cpuMsOf(server.pid) - (cpuBefore[index] as number),
        0,
      );
      return { result, cpuMsPerMessage: cpuMs / sent, served: Object.fromEntries(proxy.stats.served) };
    } finally {
      await proxy.close();
    }
  };

  let one: Awaited<ReturnType<typeof measure>>;
  let three: Awaited<ReturnType<typeof measure>>;
  try {
    const first = await start();
    const sessions = await sessionsWithOpenTickets(first.url, options.sessions);
    one = await measure([first], sessions);
    await Promise.all([start(), start()]);
    three = await measure(servers, sessions);
  } finally {
    for (const server of servers) await server.stop();
    await telegram.fake.close();
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  }

  const rate = (result: LoadResult) => result.ok / result.seconds;
  const latencyOne = summarize(one.result.latencies);
  const latencyThree = summarize(three.result.latencies);
  const failed = one.result.failed + three.result.failed;
  return {
    scenario: SCENARIO,
    database: database.kind,
    rows: [
      {
        scenario,
        metric: 'messages/s, 3 instances vs 1',
        value: `${round(rate(three.result), 0)} (3 instances)`,
        baseline: `${round(rate(one.result), 0)} (1 instance)`,
        comparison: `×${round(rate(three.result) / rate(one.result), 2)}`,
      },
      {
        scenario,
        metric: 'latency p50 / p99, 3 instances vs 1',
        value: `${ms(latencyThree.p50)} / ${ms(latencyThree.p99)}`,
        baseline: `${ms(latencyOne.p50)} / ${ms(latencyOne.p99)}`,
        comparison: `×${round(latencyThree.p50 / latencyOne.p50, 2)} / ×${round(latencyThree.p99 / latencyOne.p99, 2)}`,
      },
      {
        scenario,
        metric: 'server CPU ms per message (all instances)',
        value: `${round(three.cpuMsPerMessage, 2)} (3 instances)`,
        baseline: `${round(one.cpuMsPerMessage, 2)} (1 instance)`,
        comparison: `×${round(three.cpuMsPerMessage / one.cpuMsPerMessage, 2)} (Node processes only)`,
      },
      ...(failed > 0
        ? [
            {
              scenario,
              metric: 'failed requests, 3 instances / 1',
              value: String(three.result.failed),
              baseline: String(one.result.failed),
              comparison: '',
            },
          ]
        : []),
    ],
    data: {
      options,
      applies: true,
      one: {
        ...one.result,
        latencies: undefined,
        latencyMs: latencyOne,
        cpuMsPerMessage: one.cpuMsPerMessage,
        served: one.served,
      },
      three: {
        ...three.result,
        latencies: undefined,
        latencyMs: latencyThree,
        cpuMsPerMessage: three.cpuMsPerMessage,
        served: three.served,
      },
    },
  };
}
