import { performance } from 'node:perf_hooks';
import { mapLimit, postJson, request } from '../lib/http.ts';
import type { ScenarioResult } from '../lib/report.ts';
import { seedSessions } from '../lib/seed.ts';
import { type BenchDatabase, startServer } from '../lib/server.ts';
import { openSse, type SseStream } from '../lib/sse.ts';
import { ms, round, sleep, summarize } from '../lib/stats.ts';
import { startTelegram } from '../lib/telegram.ts';

export type PushOptions = { idle: number; pushSamples: number; relaySamples: number };

/** The original design's widget polled the conversation every 1.5 s. */
const POLL_INTERVAL_MS = 1500;
const RELAY_AGENTS = 10;

const withTimeout = <T>(promise: Promise<T>, timeoutMs: number, what: string) =>
  Promise.race([
    promise,
    sleep(timeoutMs).then(() => {
      throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    }),
  ]);

/**
 * push: an agent's DM arrives as a webhook update (the fake Bot API POSTs it) → the event reaches the
 * visitor's SSE stream; `idle` other SSE streams stay open meanwhile. Next to it, a poller on the same
 * conversation every 1.5 s (the original design), which sees the same messages.
 * relay: a visitor's POST → the sendMessage to the agent at the fake Bot API (through the durable job
 * queue and the throttler, as shipped), over 10 claimed tickets in turn.
 */
export async function pushAndRelay(database: BenchDatabase, options: PushOptions): Promise<ScenarioResult> {
  const idleSessions = await seedSessions(database, options.idle);
  const telegram = await startTelegram(1 + RELAY_AGENTS);
  const { fake } = telegram;
  const server = await startServer({
    ...database.env,
    ...telegram.env,
    RATE_LIMIT_MESSAGES: '1000000',
    RATE_LIMIT_SESSIONS: '1000000',
    // Every idle stream comes from loopback: one address.
    EVENT_STREAMS_PER_IP: '1000000',
  });
  const streams: SseStream[] = [];
  let polling = true;
  try {
    await telegram.connect(server.url);
    const [pushAgent, ...relayAgents] = telegram.agents as [
      (typeof telegram.agents)[number],
      ...typeof telegram.agents,
    ];

    // 1. Idle visitors (sessions seeded before the start): an open event stream each.
    streams.push(
      ...(await mapLimit(idleSessions, 50, (session) =>
        openSse(`${server.url}/api/session/${session.sessionId}/events`, session.token),
      )),
    );
    const rssWithIdle = server.rss();

    // 2. The measured visitor, with an agent, an event stream and a 1.5 s poller.
    const visitor = await telegram.claimedTicket(server.url, pushAgent);
    const arrivals = new Map<string, (at: number) => void>();
    streams.push(
      await openSse(`${server.url}/api/session/${visitor.sessionId}/events`, visitor.token, (event) => {
        if (event.event !== 'message') return;
        const at = performance.now();
        arrivals.get((JSON.parse(event.data) as { body: string }).body)?.(at);
      }),
    );
    const polledAt = new Map<string, number>();
    const poller = (async () => {
      let after = 0;
      await sleep(Math.random() * POLL_INTERVAL_MS);
      while (polling) {
        const started = performance.now();
        const response = await request(
          `${server.url}/api/session/${visitor.sessionId}${after ? `?after=${after}` : ''}`,
          { headers: { authorization: `Bearer ${visitor.token}` } },
        );
        const seenAt = performance.now();
        for (const message of (JSON.parse(response.body) as { messages: { id: number; body: string }[] })
          .messages) {
          after = Math.max(after, message.id);
          if (!polledAt.has(message.body)) polledAt.set(message.body, seenAt);
        }
        await sleep(Math.max(0, POLL_INTERVAL_MS - (performance.now() - started)));
      }
    })();

    const sentAt = new Map<string, number>();
    const push: number[] = [];
    for (let i = 1; i <= options.pushSamples; i += 1) {
      const body = `push ${i}: the parcel left our warehouse today`;
      const arrived = new Promise<number>((resolve) => arrivals.set(body, resolve));
      const started = performance.now();
      sentAt.set(body, started);
      fake.sendText({ from: pushAgent.id, text: body });
      push.push((await withTimeout(arrived, 15_000, `SSE event for "${body}"`)) - started);
      arrivals.delete(body);
      // Random gaps: the poller's phase is uniform over the samples.
      await sleep(100 + Math.random() * 200);
    }
    await sleep(POLL_INTERVAL_MS + 500);
    polling = false;
    await poller;
    const poll = [...sentAt].map(([body, started]) => (polledAt.get(body) ?? Number.NaN) - started);

    // 3. relay: visitor → sendMessage to the assigned agent, rotating over tickets (each agent's chat
    //    gets a message about every 1.5 s, so Telegram's 1 message/s per chat is not what is measured).
    const tickets = await mapLimit(relayAgents, 5, (agent) => telegram.claimedTicket(server.url, agent));
    const relay: number[] = [];
    for (let i = 1; i <= options.relaySamples; i += 1) {
      const index = i % tickets.length;
      const ticket = tickets[index] as (typeof tickets)[number];
      const agent = relayAgents[index] as (typeof relayAgents)[number];
      const body = `relay ${i}: is there any news about my order?`;
      const started = performance.now();
      const delivered = fake.waitFor(
        () =>
          fake
            .sentCalls(agent.id)
            .some((call: { params: { text?: unknown } }) => String(call.params.text).endsWith(`\n${body}`)),
        { timeoutMs: 30_000 },
      );
      await postJson(`${server.url}/api/session/${ticket.sessionId}/messages`, { body }, ticket.token);
      await delivered;
      relay.push(performance.now() - started);
      await sleep(150);
    }
    // The floor of any relay: one sendMessage straight to the Bot API (what a synchronous relay inside
    // the visitor's request would add at least).
    const direct: number[] = [];
    for (let i = 1; i <= options.relaySamples; i += 1) {
      const agent = relayAgents[i % relayAgents.length] as (typeof relayAgents)[number];
      const response = await request(`${fake.apiRoot}/bot${fake.token}/sendMessage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ chat_id: agent.id, text: `direct ${i}` }),
      });
      direct.push(response.ms);
    }

    const pushSummary = summarize(push);
    const pollSummary = summarize(poll.filter((value) => !Number.isNaN(value)));
    const relaySummary = summarize(relay);
    const directSummary = summarize(direct);
    const pushScenario = `push (${options.idle} idle SSE)`;
    return {
      scenario: 'push-relay',
      database: database.kind,
      rows: [
        {
          scenario: pushScenario,
          metric: 'webhook → SSE p50 / p99',
          value: `${ms(pushSummary.p50)} / ${ms(pushSummary.p99)}`,
          baseline: `${ms(pollSummary.p50)} / ${ms(pollSummary.p99)} (1.5 s poll; mean ${ms(pollSummary.mean)}, theory 750 ms)`,
          comparison: `${round(pollSummary.p50 / pushSummary.p50, 0)}× sooner at p50`,
        },
        {
          scenario: 'relay (10 tickets)',
          metric: 'visitor POST → sendMessage p50 / p99',
          value: `${ms(relaySummary.p50)} / ${ms(relaySummary.p99)}`,
          baseline: `${ms(directSummary.p50)} / ${ms(directSummary.p99)} (one direct sendMessage)`,
          comparison: `+${ms(relaySummary.p50 - directSummary.p50)} at p50 (store, queue, render)`,
        },
      ],
      data: {
        options,
        pushMs: pushSummary,
        pollMs: pollSummary,
        relayMs: relaySummary,
        directSendMessageMs: directSummary,
        serverRssWithIdleStreamsBytes: rssWithIdle,
      },
    };
  } finally {
    polling = false;
    for (const stream of streams) stream.close();
    await server.stop();
    await fake.close();
  }
}
