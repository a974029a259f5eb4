import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKind } from './support/database.ts';
import { httpClient } from './support/http.ts';
import { openSse, type SseEvent } from './support/sse.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

let app: TestApp;
let http: ReturnType<typeof httpClient>;

beforeAll(async () => {
  app = await startTestApp({ RATE_LIMIT_MESSAGES: '100' });
  http = httpClient(app.url);
});
afterAll(() => app?.close());

const messageBodies = (events: SseEvent[]) =>
  events.filter((e) => e.event === 'message').map((e) => (e.data as { body: string }).body);

describe(`session events (SSE) on ${databaseKind}`, () => {
  it('delivers messages and ticket changes created after connecting', async () => {
    const { sessionId, token } = await http.newSession();
    const stream = await openSse(`${app.url}/api/session/${sessionId}/events`, {
      authorization: `Bearer ${token}`,
    });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);

    const sent = await http.post(`/api/session/${sessionId}/messages`, { token, json: { body: 'live one' } });
    await stream.waitFor((events) => messageBodies(events).includes('live one'));
    const message = stream.events.find((e) => e.event === 'message');
    expect(message?.id).toBe(String(sent.body.message.id));
    expect(stream.events.find((e) => e.event === 'ticket')?.data).toMatchObject({ status: 'open' });

    // An agent joins and replies, through the core services.
    const agent = await app.inContext(() => app.services.agents.upsert({ tgChatId: 42, name: 'Grace' }));
    await app.inContext(() => app.services.tickets.claim(sent.body.ticket.id, agent.id));
    await app.inContext(() =>
      app.services.messages.sendAgentMessage({
        ticketId: sent.body.ticket.id,
        agentId: agent.id,
        body: 'Hello from Grace',
      }),
    );
    await stream.waitFor((events) => messageBodies(events).includes('Hello from Grace'));
    expect(stream.events.filter((e) => e.event === 'ticket').at(-1)?.data).toMatchObject({
      status: 'claimed',
      agent_name: 'Grace',
    });
    expect(messageBodies(stream.events)).toEqual([
      'live one',
      'Grace joined the conversation',
      'Hello from Grace',
    ]);
    await stream.close();
  });

  it('on reconnect with Last-Event-ID, replays the messages missed in between, once each, in order', async () => {
    const { sessionId, token } = await http.newSession();
    const url = `${app.url}/api/session/${sessionId}/events`;
    const first = await openSse(url, { authorization: `Bearer ${token}` });
    await http.post(`/api/session/${sessionId}/messages`, { token, json: { body: 'before drop' } });
    await first.waitFor((events) => messageBodies(events).length === 1);
    const lastEventId = first.events.find((e) => e.event === 'message')?.id as string;
    await first.close();

    for (const body of ['missed 1', 'missed 2', 'missed 3']) {
      await http.post(`/api/session/${sessionId}/messages`, { token, json: { body } });
    }

    const second = await openSse(url, { authorization: `Bearer ${token}`, 'last-event-id': lastEventId });
    await second.waitFor((events) => messageBodies(events).length === 3);
    await http.post(`/api/session/${sessionId}/messages`, { token, json: { body: 'after reconnect' } });
    await second.waitFor((events) => messageBodies(events).includes('after reconnect'));
    expect(messageBodies(second.events)).toEqual(['missed 1', 'missed 2', 'missed 3', 'after reconnect']);
    const ids = second.events.filter((e) => e.event === 'message').map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(ids[0]).toBeGreaterThan(Number(lastEventId));
    await second.close();
  });

  it('sends nothing of other sessions', async () => {
    const mine = await http.newSession();
    const theirs = await http.newSession();
    const stream = await openSse(`${app.url}/api/session/${mine.sessionId}/events`, {
      authorization: `Bearer ${mine.token}`,
    });
    await http.post(`/api/session/${theirs.sessionId}/messages`, {
      token: theirs.token,
      json: { body: 'secret' },
    });
    await http.post(`/api/session/${mine.sessionId}/messages`, { token: mine.token, json: { body: 'mine' } });
    await stream.waitFor((events) => messageBodies(events).includes('mine'));
    expect(messageBodies(stream.events)).toEqual(['mine']);
    await stream.close();
  });

  it('sends a message that is published after a newer one (another instance’s, late), once, keeping the newest id', async () => {
    const { sessionId, token } = await http.newSession();
    const stream = await openSse(`${app.url}/api/session/${sessionId}/events`, {
      authorization: `Bearer ${token}`,
    });
    const sent = await http.post(`/api/session/${sessionId}/messages`, { token, json: { body: 'newer' } });
    await stream.waitFor((events) => messageBodies(events).includes('newer'));
    const newer = sent.body.message as { id: number; ticket_id: number };
    // As the cross-instance bus would deliver a message committed on another server just before.
    const late = { ...sent.body.message, id: newer.id - 1, body: 'committed first, arrived late' };
    for (let i = 0; i < 2; i += 1) {
      app.bus.publish({ type: 'message.created', sessionId, ticketId: newer.ticket_id, message: late });
    }
    await stream.waitFor((events) => messageBodies(events).includes('committed first, arrived late'));
    await http.post(`/api/session/${sessionId}/messages`, { token, json: { body: 'newest' } });
    await stream.waitFor((events) => messageBodies(events).includes('newest'));
    expect(messageBodies(stream.events)).toEqual(['newer', 'committed first, arrived late', 'newest']);
    const lateEvent = stream.events.find((e) => (e.data as { body: string }).body === late.body);
    expect(lateEvent?.id).toBeUndefined();
    await stream.close();
  });

  it('does not send an older state of a ticket after a newer one (another instance’s event, late)', async () => {
    const { sessionId, token } = await http.newSession();
    const stream = await openSse(`${app.url}/api/session/${sessionId}/events`, {
      authorization: `Bearer ${token}`,
    });
    const sent = await http.post(`/api/session/${sessionId}/messages`, { token, json: { body: 'hello' } });
    const opened = sent.body.ticket as { id: number; version: number };
    const agent = await app.inContext(() => app.services.agents.upsert({ tgChatId: 43, name: 'Ada' }));
    const claimed = await app.inContext(() => app.services.tickets.claim(opened.id, agent.id));
    expect(claimed.version).toBeGreaterThan(opened.version);
    const ticketStates = (events: SseEvent[]) =>
      events.filter((e) => e.event === 'ticket').map((e) => e.data as { status: string; version: number });
    await stream.waitFor((events) => ticketStates(events).some((ticket) => ticket.status === 'claimed'));
    // The open state, as the cross-instance bus would deliver it late; then a newer change.
    app.bus.publish({ type: 'ticket.updated', sessionId, ticket: sent.body.ticket });
    const closed = await app.inContext(() =>
      app.services.tickets.close(opened.id, { kind: 'visitor', sessionId }),
    );
    await stream.waitFor((events) => ticketStates(events).some((ticket) => ticket.status === 'closed'));
    expect(ticketStates(stream.events).map((ticket) => [ticket.status, ticket.version])).toEqual([
      ['open', opened.version],
      ['claimed', claimed.version],
      ['closed', closed.version],
    ]);
    await stream.close();
  });

  it('rejects a missing token (401) and a malformed Last-Event-ID (400)', async () => {
    const { sessionId, token } = await http.newSession();
    expect((await http.get(`/api/session/${sessionId}/events`)).status).toBe(401);
    const bad = await http.get(`/api/session/${sessionId}/events`, {
      token,
      headers: { 'last-event-id': 'abc' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
  });
});
