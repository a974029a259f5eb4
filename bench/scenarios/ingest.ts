import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { closedLoop, request, sessionsWithOpenTickets } from '../lib/http.ts';
import type { ScenarioResult } from '../lib/report.ts';
import { type BenchDatabase, cpuMsOf, startServer } from '../lib/server.ts';
import { perRequest, type StatementSnapshot, statementCounting } from '../lib/statement-counter.ts';
import { ms, round, summarize } from '../lib/stats.ts';
import { type BenchTelegram, startTelegram } from '../lib/telegram.ts';

const VISITOR_MESSAGE = 'POST /api/session/:id/messages';
const TELEGRAM_UPDATE = 'POST /api/telegram/webhook';
/** Agent replies counted, one after another. */
const AGENT_REPLIES = 20;

export type IngestOptions = { sessions: number; seconds: number; warmupSeconds: number };

/**
 * Visitor `POST /api/session/:id/messages` at `sessions` concurrent sessions (closed loop: each sends
 * its next message when the previous one answered), against a bare Koa route doing one INSERT into the
 * same database. The product runs as shipped (bot configured, every message enqueues its Telegram
 * delivery in the same transaction); only the per-session rate limit is raised.
 *
 * The server counts its database statements and commits per route (bench/lib/statement-counter.ts):
 * reported per visitor message (over the measured loop) and per agent reply (Telegram updates relaying
 * an agent's DM to the visitor, one at a time before the loop), with the server's CPU time per message.
 * Statements outside any request (the Telegram workers delivering what was queued) are shown apart.
 */
export async function ingest(database: BenchDatabase, options: IngestOptions): Promise<ScenarioResult> {
  const telegram = await startTelegram(1);
  const counting = statementCounting(join(database.dataDir, 'statements.json'));
  const server = await startServer({
    ...database.env,
    ...telegram.env,
    ...counting.env,
    RATE_LIMIT_MESSAGES: '1000000',
    RATE_LIMIT_SESSIONS: '1000000',
  });
  let product: Awaited<ReturnType<typeof closedLoop>>;
  let visitorCost: ReturnType<typeof perRequest>;
  let agentCost: ReturnType<typeof perRequest>;
  try {
    await telegram.connect(server.url);
    // First, while the group's cards are not queued behind the sessions' (20 a minute).
    agentCost = await agentReplies(telegram, server.url, () => counting.snapshot(server.pid));
    const sessions = await sessionsWithOpenTickets(server.url, options.sessions);
    const beforeLoop = await counting.snapshot(server.pid);
    product = await closedLoop({
      clients: options.sessions,
      seconds: options.seconds,
      warmupMs: options.warmupSeconds * 1000,
      send: (client, n) => {
        const session = sessions[client] as (typeof sessions)[number];
        return request(`${server.url}/api/session/${session.sessionId}/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${session.token}` },
          // With a client id, as the widget sends (a retry would be answered with the stored copy).
          body: JSON.stringify({
            body: `Message ${n} from session ${client}: my order has not arrived yet`,
            client_id: randomUUID(),
          }),
        });
      },
    });
    visitorCost = perRequest(beforeLoop, await counting.snapshot(server.pid), VISITOR_MESSAGE);
  } finally {
    await server.stop();
    await telegram.fake.close();
  }

  const baselineServer = await startServer(database.env, { script: 'bench/baseline-server.ts' });
  let baseline: Awaited<ReturnType<typeof closedLoop>>;
  let baselineCpuMs: number;
  try {
    const ids = Array.from({ length: options.sessions }, () => crypto.randomUUID());
    const cpuBefore = cpuMsOf(baselineServer.pid);
    let sent = 0;
    baseline = await closedLoop({
      clients: options.sessions,
      seconds: options.seconds,
      warmupMs: options.warmupSeconds * 1000,
      send: (client, n) => {
        sent += 1;
        return request(`${baselineServer.url}/bench/session/${ids[client]}/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Bearer unused' },
          body: JSON.stringify({ body: `Message ${n} from session ${client}: my order has not arrived yet` }),
        });
      },
    });
    baselineCpuMs = (cpuMsOf(baselineServer.pid) - cpuBefore) / sent;
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
      {
        scenario,
        metric: 'statements / commits per visitor message',
        value: `${round(visitorCost.statements, 2)} / ${round(visitorCost.commits, 2)}`,
        baseline: '1 / 1 (bare INSERT)',
        comparison: `goal ≤ 2; background ${round(visitorCost.backgroundStatements, 2)} / ${round(visitorCost.backgroundCommits, 2)}`,
      },
      {
        scenario,
        metric: 'statements / commits per agent reply',
        value: `${round(agentCost.statements, 2)} / ${round(agentCost.commits, 2)}`,
        baseline: '',
        comparison: `goal ≤ 4; background ${round(agentCost.backgroundStatements, 2)} / ${round(agentCost.backgroundCommits, 2)}`,
      },
      {
        scenario,
        metric: 'server CPU ms per visitor message',
        value: `${round(visitorCost.cpuMs, 2)}`,
        baseline: `${round(baselineCpuMs, 2)} (bare INSERT)`,
        comparison: `×${round(visitorCost.cpuMs / baselineCpuMs, 1)}${database.kind === 'postgresql' ? ' (Node process only)' : ''}`,
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
      statements: { visitorMessage: visitorCost, agentReply: agentCost, baselineCpuMs },
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

/**
 * The agent reply path: a ticket claimed, then `replies` DMs from its agent, each relayed to the
 * visitor before the next is sent; what the Telegram updates cost between two snapshots.
 */
export async function agentReplies(
  telegram: BenchTelegram,
  serverUrl: string,
  snapshot: () => Promise<StatementSnapshot>,
  replies = AGENT_REPLIES,
) {
  const agent = telegram.agents[0] as BenchTelegram['agents'][number];
  const visitor = await telegram.claimedTicket(serverUrl, agent);
  const agentMessages = async () => {
    const response = await request(`${serverUrl}/api/session/${visitor.sessionId}`, {
      headers: { authorization: `Bearer ${visitor.token}` },
    });
    const conversation = JSON.parse(response.body) as { messages: { sender: string }[] };
    return conversation.messages.filter((message) => message.sender === 'agent').length;
  };
  const before = await snapshot();
  for (let n = 1; n <= replies; n += 1) {
    telegram.fake.sendText({ from: agent.id, text: `Reply ${n}: let me check your order` });
    for (let waited = 0; (await agentMessages()) < n; waited += 1) {
      if (waited > 3000) throw new Error(`agent reply ${n} never reached the visitor`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
  return perRequest(before, await snapshot(), TELEGRAM_UPDATE);
}
