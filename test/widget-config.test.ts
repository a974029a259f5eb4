import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResponseTimeService } from '../core/response-time.ts';
import { databaseKind } from './support/database.ts';
import { httpClient } from './support/http.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

/**
 * The server side of the widget's first impression and of fast typing: the usual first-reply time in
 * GET /api/config (median over claimed tickets of the last 30 days), and the message token bucket with
 * its default settings (RATE_LIMIT_MESSAGES=10 per RATE_LIMIT_WINDOW_SECONDS=20).
 */
describe(`widget config and message rate limit (${databaseKind})`, () => {
  let app: TestApp;
  let http: ReturnType<typeof httpClient>;
  let agentChatId = 77_000;

  beforeAll(async () => {
    app = await startTestApp({ CATEGORIES: 'General,Billing' });
    http = httpClient(app.url);
  });
  afterAll(() => app?.close());

  const sql = <T>(query: string, params: unknown[] = []) =>
    app.orm.em.getConnection().execute<T[]>(query, params);

  /** A ticket whose first agent reply came `minutes` after it was opened (`claimed: false`: no agent). */
  const ticketAnswered = async (minutes: number, { claimed = true, ageDays = 0 } = {}) => {
    const sessionId = await app.inContext(() => app.services.sessions.createSession({}));
    const sent = await app.inContext(() =>
      app.services.messages.sendVisitorMessage({ sessionId, body: 'help' }),
    );
    const ticketId = sent.ticket.id;
    if (claimed) {
      const agent = await app.inContext(() =>
        app.services.agents.upsert({ tgChatId: agentChatId++, name: 'Ann', tgUsername: null }),
      );
      await app.inContext(() => app.services.tickets.claim(ticketId, agent.id));
      await app.inContext(() =>
        app.services.messages.sendAgentMessage({ ticketId, agentId: agent.id, body: 'hello' }),
      );
      await app.inContext(() =>
        app.services.messages.sendAgentMessage({ ticketId, agentId: agent.id, body: 'second reply' }),
      );
    }
    await sql(
      `update tickets set created_at = coalesce(
         (select min(m.created_at) from messages m where m.ticket_id = tickets.id and m.sender = 'agent'), now())
         - make_interval(mins => ?) - make_interval(days => ?) where id = ?`,
      [minutes, ageDays, ticketId],
    );
    // The later agent message must not count: only the first reply does.
    await sql(
      `update messages set created_at = created_at + interval '5 hours' where ticket_id = ? and body = 'second reply'`,
      [ticketId],
    );
  };

  it('GET /api/config tells the median first-reply time over claimed tickets of the last 30 days', async () => {
    const service = createResponseTimeService({ em: app.orm.em, cacheMs: 0 });
    expect(await app.inContext(() => service.firstReply())).toEqual({ medianSeconds: null, tickets: 0 });

    await ticketAnswered(3);
    await ticketAnswered(7);
    await ticketAnswered(60);
    await ticketAnswered(1, { ageDays: 40 }); // too old
    await ticketAnswered(0, { claimed: false }); // nobody answered
    expect(await app.inContext(() => service.firstReply())).toEqual({ medianSeconds: 420, tickets: 3 });

    const config = await http.get('/api/config');
    expect(config.status).toBe(200);
    expect(config.body).toEqual({
      categories: ['General', 'Billing'],
      category_options: [
        { key: 'General', label: 'General', labels: {} },
        { key: 'Billing', label: 'Billing', labels: {} },
      ],
      typical_reply_seconds: 420,
      edit_window_seconds: 900,
    });
  });

  it('the figure is read at most once per cache period', async () => {
    let time = 1_000_000;
    const service = createResponseTimeService({ em: app.orm.em, cacheMs: 60_000, now: () => time });
    const first = await app.inContext(() => service.firstReply());
    await ticketAnswered(1);
    await ticketAnswered(1);
    await ticketAnswered(1);
    await ticketAnswered(1);
    time += 30_000;
    expect(await app.inContext(() => service.firstReply())).toEqual(first);
    time += 31_000;
    expect((await app.inContext(() => service.firstReply())).tickets).toBe(first.tickets + 4);
  });

  it('a burst of 8 short messages in a second passes; a flood of 50 gets 429 with Retry-After', async () => {
    const { sessionId, token } = await http.newSession();
    const path = `/api/session/${sessionId}/messages`;
    const started = Date.now();
    for (const line of [
      'hi',
      'so',
      'my order',
      'is late',
      'number 1234',
      'since monday',
      'can you',
      'check?',
    ]) {
      expect((await http.post(path, { token, json: { body: line } })).status).toBe(201);
    }
    expect(Date.now() - started).toBeLessThan(5000);

    const flood = await Promise.all(
      Array.from({ length: 50 }, (_, i) => http.post(path, { token, json: { body: `flood ${i}` } })),
    );
    const refused = flood.filter((response) => response.status === 429);
    // At most the 2 tokens left (plus what refilled meanwhile, 1 per 2 s) get through.
    expect(flood.filter((response) => response.status === 201).length).toBeLessThanOrEqual(
      2 + Math.floor((Date.now() - started) / 2000),
    );
    expect(refused.length).toBeGreaterThanOrEqual(40);
    for (const response of refused) {
      expect(response.body).toEqual({ error: { code: 'rate_limited', message: expect.any(String) } });
      // Less than one token left, refilled at 1 per 2 s: the next one is 1 or 2 s away.
      expect(['1', '2']).toContain(response.headers.get('retry-after'));
    }
  });
});
