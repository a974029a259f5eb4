import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeTelegram, startFakeTelegram } from './fake-telegram/index.ts';
import { databaseKind } from './support/database.ts';
import { type Exposition, parseExposition } from './support/prometheus.ts';
import { openSse } from './support/sse.ts';
import { agentsStartTheBot, fakeSupportGroup } from './support/support-group.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { eventually, newVisitor } from './support/visitor.ts';

const GROUP = -1005550001111;
const ALICE = { id: 5501, first_name: 'Alice', username: 'alice' };
const METRICS_TOKEN = 'metrics-token-0123456789';
const TIMEOUT = { timeoutMs: 20_000 };

const HTTP = 'switchboard_http_request_duration_seconds';
const MESSAGES = 'switchboard_messages_total';
const DELIVERIES = 'switchboard_deliveries_total';
const RATE_LIMITED = 'switchboard_telegram_rate_limited_total';
const BACKLOG = 'switchboard_delivery_backlog_jobs';
const BACKLOG_AGE = 'switchboard_delivery_backlog_oldest_seconds';
const STREAMS = 'switchboard_event_streams_open';
const POOL = 'switchboard_db_pool_connections';
const POOL_WAITING = 'switchboard_db_pool_waiting';

type Sent = { message_id: number; text?: string };

/**
 * Issue 11 §4: GET /metrics in Prometheus' text format, behind METRICS_TOKEN. The real product on the
 * fake Bot API; every assertion reads a scrape, parsed as Prometheus would.
 */
describe(`/metrics (${databaseKind})`, () => {
  let fake: FakeTelegram;
  let app: TestApp;

  const metricsResponse = (authorization?: string) =>
    fetch(`${app.url}/metrics`, { headers: authorization ? { authorization } : {} });
  const scrape = async (): Promise<Exposition> => {
    const response = await metricsResponse(`Bearer ${METRICS_TOKEN}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return parseExposition(await response.text());
  };
  /** Scrapes until `predicate` holds (counters move once the work behind them is done). */
  const scrapeUntil = (predicate: (metrics: Exposition) => boolean, timeoutMs = 20_000) =>
    eventually(async () => {
      const metrics = await scrape();
      return predicate(metrics) ? metrics : undefined;
    }, timeoutMs);

  const cardOf = (ticketId: number) =>
    fake.messages(GROUP).find((m: Sent) => m.text?.startsWith('🆕') && m.text.includes(`#${ticketId}\n`)) as
      | Sent
      | undefined;
  const sentToAlice = (pattern: RegExp) =>
    fake.waitFor(() => fake.sentTo(ALICE.id).find((m: Sent) => pattern.test(m.text ?? '')), TIMEOUT);

  beforeAll(async () => {
    fake = await startFakeTelegram();
    app = await startTestApp({
      ...fakeSupportGroup(fake, GROUP, [ALICE]),
      RATE_LIMIT_MESSAGES: '100',
      METRICS_TOKEN,
    });
    await agentsStartTheBot(fake, [ALICE]);
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await fake?.close();
  });

  it('answers 401 without the token or with a wrong one', async () => {
    for (const authorization of [undefined, 'Bearer wrong-token-0123456789', METRICS_TOKEN]) {
      const response = await metricsResponse(authorization);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    }
  });

  it('counts messages, requests by route pattern, and deliveries sent and refused', async () => {
    const before = await scrape();
    const visitor = await newVisitor(app.url);
    const ticketId = (await visitor.say('Hello, I have a question')).ticket.id;
    const card = await fake.waitFor(() => cardOf(ticketId), TIMEOUT);
    fake.clickButton({ from: ALICE.id, chatId: GROUP, messageId: card.message_id, text: '✅ Claim' });
    await sentToAlice(new RegExp(`connected to #${ticketId}`));

    await visitor.say('a second message');
    await sentToAlice(/a second message/);
    // Telegram refuses this one for good: marked undeliverable, the agent is told.
    fake.refuse({
      methods: ['sendMessage'],
      status: 400,
      description: 'Bad Request: message text is empty',
      when: (params) => String(params.text).includes('refuse me'),
    });
    await visitor.say('please refuse me');
    await sentToAlice(new RegExp(`⚠️ #${ticketId} · a visitor message`));
    fake.sendText({ from: ALICE.id, text: 'Hi, Alice here' });
    await eventually(async () => (await visitor.messages('agent')).some((m) => m.body === 'Hi, Alice here'));

    const delta = (after: Exposition, name: string, labels: Record<string, string>) =>
      after.sum(name, labels) - before.sum(name, labels);
    const after = await scrapeUntil(
      (metrics) =>
        metrics.sum(DELIVERIES, { type: 'agent.message', outcome: 'refused' }) >
        before.sum(DELIVERIES, { type: 'agent.message', outcome: 'refused' }),
    );

    expect(delta(after, MESSAGES, { sender: 'visitor' })).toBe(3);
    expect(delta(after, MESSAGES, { sender: 'agent' })).toBe(1);

    // Requests by the router's pattern, never the raw path with its ids.
    const posted = { method: 'POST', route: '/api/session/:id/messages', status: '201' };
    expect(delta(after, `${HTTP}_count`, posted)).toBe(3);
    expect(after.sum(`${HTTP}_bucket`, { ...posted, le: '+Inf' })).toBe(after.sum(`${HTTP}_count`, posted));
    expect(after.sum(`${HTTP}_sum`, posted)).toBeGreaterThan(0);
    expect(
      delta(after, `${HTTP}_count`, { method: 'POST', route: '/api/session', status: '201' }),
    ).toBeGreaterThanOrEqual(1);
    expect(after.sum(`${HTTP}_count`, { route: '/metrics', status: '401' })).toBeGreaterThanOrEqual(3);
    const routes = new Set(after.select(`${HTTP}_count`).map((sample) => sample.labels.route));
    expect(routes).toContain('/api/session/:id');
    for (const route of routes) {
      expect(route).not.toContain(visitor.sessionId);
      expect(route).not.toMatch(/\/\d+(\/|$)/);
    }

    // Each delivery job ends once: the card, the "connected" note, the relays (one refused for good).
    expect(delta(after, DELIVERIES, { type: 'ticket.card', outcome: 'sent' })).toBeGreaterThanOrEqual(1);
    expect(delta(after, DELIVERIES, { type: 'agent.connected', outcome: 'sent' })).toBe(1);
    expect(delta(after, DELIVERIES, { type: 'agent.message', outcome: 'sent' })).toBe(1);
    expect(delta(after, DELIVERIES, { type: 'agent.message', outcome: 'refused' })).toBe(1);

    for (const family of [HTTP, MESSAGES, DELIVERIES, RATE_LIMITED, BACKLOG, BACKLOG_AGE, STREAMS]) {
      expect(after.help.get(family)?.length ?? 0, family).toBeGreaterThan(10);
    }
    expect(after.type.get(HTTP)).toBe('histogram');
    expect(after.type.get(MESSAGES)).toBe('counter');
    expect(after.type.get(DELIVERIES)).toBe('counter');
    expect(after.type.get(BACKLOG)).toBe('gauge');
  }, 60_000);

  it("counts Telegram's 429s and the deliveries they put off, and shows the backlog waiting", async () => {
    const first = await newVisitor(app.url);
    const firstTicket = (await first.say('the first ticket')).ticket.id;
    await fake.waitFor(() => cardOf(firstTicket), TIMEOUT);
    const before = await scrape();

    // One message a minute for the group: the next card gets 429 with a retry_after of about a minute,
    // longer than auto-retry waits, so the delivery job is put off (retried later by the queue).
    fake.enforceLimits({ perGroupPerMinute: 1 });
    let secondTicket = 0;
    try {
      const second = await newVisitor(app.url);
      secondTicket = (await second.say('the second ticket')).ticket.id;
      // The job is counted as retried when its handler gives up on this try, and waits in the backlog
      // once the queue has recorded the retry, a moment later.
      const blocked = await scrapeUntil(
        (metrics) =>
          metrics.sum(DELIVERIES, { type: 'ticket.card', outcome: 'retried' }) >
            before.sum(DELIVERIES, { type: 'ticket.card', outcome: 'retried' }) && metrics.sum(BACKLOG) >= 1,
      );
      expect(blocked.sum(RATE_LIMITED, { method: 'sendMessage' })).toBeGreaterThan(
        before.sum(RATE_LIMITED, { method: 'sendMessage' }),
      );
      expect(blocked.sum(BACKLOG_AGE)).toBeGreaterThan(0);
    } finally {
      fake.enforceLimits(false);
    }

    // Telegram lets it through again: the card goes out and the backlog empties.
    await fake.waitFor(() => cardOf(secondTicket), { timeoutMs: 30_000 });
    const after = await scrapeUntil((metrics) => metrics.sum(BACKLOG) === 0);
    expect(after.sum(BACKLOG_AGE)).toBe(0);
    expect(after.sum(DELIVERIES, { type: 'ticket.card', outcome: 'sent' })).toBeGreaterThan(
      before.sum(DELIVERIES, { type: 'ticket.card', outcome: 'sent' }),
    );
    // Every 429 the fake answered was counted, by method.
    expect(after.sum(RATE_LIMITED)).toBe(fake.rateLimitedCount());
  }, 60_000);

  it('shows open event streams, the database pool and the event-loop lag', async () => {
    const visitor = await newVisitor(app.url);
    await visitor.say('streams');
    const stream = await openSse(`${app.url}/api/session/${visitor.sessionId}/events`, {
      authorization: `Bearer ${visitor.token}`,
    });
    try {
      await stream.waitFor((events) => events.some((event) => event.event === 'ticket'));
      const open = await scrapeUntil((metrics) => metrics.sum(STREAMS) === 1);
      expect(open.type.get(STREAMS)).toBe('gauge');
      expect(
        open.sum(`${HTTP}_count`, { method: 'GET', route: '/api/session/:id/events', status: '200' }),
      ).toBe(1);
    } finally {
      await stream.close();
    }
    const metrics = await scrapeUntil((scraped) => scraped.sum(STREAMS) === 0);

    // Node's default metrics, under their standard names.
    expect(metrics.type.get('nodejs_eventloop_lag_seconds')).toBe('gauge');
    expect(metrics.select('nodejs_eventloop_lag_p99_seconds')).toHaveLength(1);

    if (databaseKind === 'postgresql') {
      expect(metrics.sum(POOL, { state: 'max' })).toBe(10);
      expect(metrics.sum(POOL, { state: 'total' })).toBeGreaterThanOrEqual(1);
      expect(metrics.sum(POOL, { state: 'idle' })).toBeLessThanOrEqual(metrics.sum(POOL, { state: 'total' }));
      expect(metrics.select(POOL_WAITING)).toHaveLength(1);
    } else {
      // PGlite is one in-process backend: no pool, no pool metrics.
      expect(metrics.select(POOL)).toEqual([]);
      expect(metrics.select(POOL_WAITING)).toEqual([]);
    }
  });

  it('is off (404) when METRICS_TOKEN is not set', async () => {
    const plain = await startTestApp();
    try {
      const response = await fetch(`${plain.url}/metrics`, {
        headers: { authorization: `Bearer ${METRICS_TOKEN}` },
      });
      expect(response.status).toBe(404);
    } finally {
      await plain.close();
    }
  });
});
