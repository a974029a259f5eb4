import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventListener } from '../core/event-bus.ts';
import { type FakeTelegram, startFakeTelegram } from './fake-telegram/index.ts';
import { databaseKind } from './support/database.ts';
import { httpClient } from './support/http.ts';
import { signInitData, tma } from './support/init-data.ts';
import { openSse } from './support/sse.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { eventually } from './support/visitor.ts';

const GROUP = -1001234567890;
const ALICE = { id: 2001, first_name: 'Alice', username: 'alice' };
const PER_SESSION = 5;
const PER_IP = 12;

let fake: FakeTelegram;
let app: TestApp;
let http: ReturnType<typeof httpClient>;
/** Live event-bus subscriptions per key, counted by wrapping the app's bus. */
const subscriptions = new Map<string, number>();

beforeAll(async () => {
  fake = await startFakeTelegram();
  fake.addGroup({ id: GROUP, title: 'Support team' });
  fake.addUser(ALICE);
  fake.setChatMember(GROUP, ALICE.id, 'administrator');
  app = await startTestApp({
    TELEGRAM_BOT_TOKEN: fake.token,
    TELEGRAM_API_ROOT: fake.apiRoot,
    SUPPORT_GROUP_CHAT_ID: String(GROUP),
    TELEGRAM_THROTTLE: 'false',
    RATE_LIMIT_MESSAGES: '100',
    EVENT_STREAMS_PER_SESSION: String(PER_SESSION),
    EVENT_STREAMS_PER_IP: String(PER_IP),
  });
  http = httpClient(app.url);
  const subscribe = app.bus.subscribe.bind(app.bus);
  app.bus.subscribe = (key: string, listener: EventListener) => {
    subscriptions.set(key, (subscriptions.get(key) ?? 0) + 1);
    const unsubscribe = subscribe(key, listener);
    let done = false;
    return () => {
      if (!done) subscriptions.set(key, (subscriptions.get(key) ?? 0) - 1);
      done = true;
      unsubscribe();
    };
  };
}, 60_000);

afterAll(async () => {
  await app?.close();
  await fake?.close();
});

/** An event stream read to its end: `ended` once the server ends it. */
async function rawStream(path: string, headers: Record<string, string>) {
  const controller = new AbortController();
  const response = await fetch(`${app.url}${path}`, { headers, signal: controller.signal });
  const body: unknown = response.status === 200 ? undefined : await response.json();
  let ended = false;
  const reading = (async () => {
    try {
      for await (const _ of response.body ?? []) {
      }
    } catch {}
    ended = true;
  })();
  return {
    status: response.status,
    headers: response.headers,
    /** The error answer, when refused. */
    body,
    get ended() {
      return ended;
    },
    async close() {
      controller.abort();
      await reading;
    },
  };
}
type RawStream = Awaited<ReturnType<typeof rawStream>>;

describe(`event streams are bounded (${databaseKind})`, () => {
  it('300 streams on one token: at most the cap stay open, the rest end and unsubscribe, a fresh one works', async () => {
    const { sessionId, token } = await http.newSession();
    const auth = { authorization: `Bearer ${token}` };
    const streams: RawStream[] = [];
    for (let batch = 0; batch < 12; batch++) {
      const opened = await Promise.all(
        Array.from({ length: 25 }, () => rawStream(`/api/session/${sessionId}/events`, auth)),
      );
      for (const stream of opened) expect(stream.status).toBe(200);
      streams.push(...opened);
      expect(app.eventStreams.countOf(sessionId)).toBe(PER_SESSION);
      expect(subscriptions.get(sessionId)).toBe(PER_SESSION);
    }
    expect(app.eventStreams.size).toBe(PER_SESSION);
    // The server ended every stream but the newest five (which five, concurrent opens decide).
    await eventually(async () => streams.filter((stream) => !stream.ended).length === PER_SESSION, 30_000);

    const fresh = await openSse(`${app.url}/api/session/${sessionId}/events`, auth);
    expect(fresh.status).toBe(200);
    await http.post(`/api/session/${sessionId}/messages`, { token, json: { body: 'still live' } });
    await fresh.waitFor((events) => events.some((e) => (e.data as { body?: string }).body === 'still live'));
    expect(app.eventStreams.countOf(sessionId)).toBe(PER_SESSION);

    await fresh.close();
    for (const stream of streams) await stream.close();
    await eventually(async () => app.eventStreams.size === 0);
    expect(subscriptions.get(sessionId)).toBe(0);
  }, 120_000);

  it('beyond the cap per client address new streams are refused with 429; one of a full session replaces its oldest', async () => {
    const sessions = await Promise.all(Array.from({ length: 4 }, () => http.newSession()));
    const open = (session: { sessionId: string; token: string }) =>
      rawStream(`/api/session/${session.sessionId}/events`, { authorization: `Bearer ${session.token}` });
    const [a, b, c, d] = sessions as [
      (typeof sessions)[0],
      (typeof sessions)[0],
      (typeof sessions)[0],
      (typeof sessions)[0],
    ];
    const streams: RawStream[] = [];
    for (const session of [a, a, a, a, a, b, b, b, b, b, c, c]) streams.push(await open(session));
    expect(app.eventStreams.size).toBe(PER_IP);

    const refused = await open(d);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(refused.body).toEqual({
      error: { code: 'rate_limited', message: expect.any(String) },
    });
    expect(subscriptions.get(d.sessionId) ?? 0).toBe(0);

    // A session at its own cap may still open one: its oldest, from the same address, ends.
    const replacing = await open(a);
    expect(replacing.status).toBe(200);
    await eventually(async () => streams[0]?.ended === true);
    expect(app.eventStreams.size).toBe(PER_IP);

    // Once a stream of that address ends, another session gets in again.
    await streams[10]?.close();
    await eventually(async () => app.eventStreams.size === PER_IP - 1);
    const admitted = await open(d);
    expect(admitted.status).toBe(200);

    for (const stream of [...streams, replacing, admitted]) await stream.close();
    await eventually(async () => app.eventStreams.size === 0);
    for (const session of sessions) expect(subscriptions.get(session.sessionId) ?? 0).toBe(0);
  });

  it("an agent's streams are capped the same way (the Mini App's live events)", async () => {
    const auth = tma(signInitData(fake.token, ALICE));
    const me = await http.get('/api/agent/me', { headers: auth });
    expect(me.status).toBe(200);
    const owner = `agent:${me.body.agent.id}`;
    const streams: RawStream[] = [];
    for (let i = 0; i < PER_SESSION + 3; i++) {
      const stream = await rawStream('/api/agent/events', auth);
      expect(stream.status).toBe(200);
      streams.push(stream);
    }
    expect(app.eventStreams.countOf(owner)).toBe(PER_SESSION);
    await eventually(async () => streams.slice(0, 3).every((stream) => stream.ended));
    expect(streams.slice(3).some((stream) => stream.ended)).toBe(false);
    for (const stream of streams) await stream.close();
    await eventually(async () => app.eventStreams.size === 0);
    expect(subscriptions.get('*') ?? 0).toBe(0);
  });
});
