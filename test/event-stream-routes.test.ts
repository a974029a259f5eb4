import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventListener } from '../core/event-bus.ts';
import { databaseKind } from './support/database.ts';
import { httpClient } from './support/http.ts';
import { signInitData, tma } from './support/init-data.ts';
import { openSse } from './support/sse.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { eventually } from './support/visitor.ts';

/**
 * The event streams are served on the raw node:http request, before Koa (server/event-stream-routes.ts):
 * what every API request gets from Koa's middleware must hold for them too.
 */
const SITE = 'https://shop.example';
const PER_IP = 3;

let app: TestApp;
let http: ReturnType<typeof httpClient>;
/** Live event-bus subscriptions per key, counted by wrapping the app's bus. */
const subscriptions = new Map<string, number>();
const live = (key: string) => subscriptions.get(key) ?? 0;

beforeAll(async () => {
  app = await startTestApp({ WIDGET_ORIGINS: SITE, EVENT_STREAMS_PER_IP: String(PER_IP) });
  http = httpClient(app.url);
  const subscribe = app.bus.subscribe.bind(app.bus);
  app.bus.subscribe = (key: string, listener: EventListener) => {
    subscriptions.set(key, live(key) + 1);
    const unsubscribe = subscribe(key, listener);
    let done = false;
    return () => {
      if (!done) subscriptions.set(key, live(key) - 1);
      done = true;
      unsubscribe();
    };
  };
}, 60_000);
afterAll(() => app?.close());

/** The headers every API answer carries (security-headers.ts), stream or error. */
function expectApiHeaders(headers: Headers) {
  expect(headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
  expect(headers.get('x-content-type-options')).toBe('nosniff');
  expect(headers.get('x-frame-options')).toBe('DENY');
  expect(headers.get('referrer-policy')).toBe('no-referrer');
  expect(headers.get('vary')).toBe('Origin');
}

async function get(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${app.url}${path}`, { headers: { origin: SITE, ...headers } });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

describe(`event streams served before Koa (${databaseKind})`, () => {
  it('a stream carries the request id, the security headers and CORS for an allowed site only', async () => {
    const { sessionId, token } = await http.newSession();
    const stream = await openSse(`${app.url}/api/session/${sessionId}/events`, {
      authorization: `Bearer ${token}`,
      origin: SITE,
      'x-request-id': 'trace-0123456789',
    });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(stream.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(stream.headers.get('x-request-id')).toBe('trace-0123456789');
    expect(stream.headers.get('access-control-allow-origin')).toBe(SITE);
    expect(stream.headers.get('access-control-expose-headers')).toBe('Retry-After,X-Request-Id');
    expectApiHeaders(stream.headers);
    await stream.close();

    const other = await openSse(`${app.url}/api/session/${sessionId}/events`, {
      authorization: `Bearer ${token}`,
      origin: 'https://elsewhere.example',
    });
    expect(other.status).toBe(200);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(other.headers.get('x-request-id')).toMatch(/^[\w-]{8,64}$/);
    await other.close();
    await eventually(async () => app.eventStreams.size === 0 && live(sessionId) === 0);
  });

  it('refusals are the API’s JSON errors with the same headers, and leave no stream or subscription', async () => {
    const { sessionId, token } = await http.newSession();
    const mine = await http.newSession();
    const path = `/api/session/${sessionId}/events`;

    const refusals = [
      [await get(path), 401, 'unauthorized'],
      [await get(path, { authorization: 'Bearer not.a.token' }), 401, 'unauthorized'],
      [await get(path, { authorization: `Bearer ${mine.token}` }), 404, 'not_found'],
      [await get('/api/session/not-a-uuid/events', { authorization: `Bearer ${token}` }), 404, 'not_found'],
      [await get(path, { authorization: `Bearer ${token}`, 'last-event-id': 'x' }), 400, 'validation_failed'],
      [await get(`${path}?last_event_id=-1`, { authorization: `Bearer ${token}` }), 400, 'validation_failed'],
      // No bot configured: the agent API says what to set.
      [
        await get('/api/agent/events', tma(signInitData('1:x', { id: 1, first_name: 'A' }))),
        503,
        'service_unavailable',
      ],
    ] as const;
    for (const [response, status, code] of refusals) {
      expect(response.status).toBe(status);
      expect(response.body).toEqual({ error: { code, message: expect.any(String) } });
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(response.headers.get('x-request-id')).toMatch(/^[\w-]{8,64}$/);
      expect(response.headers.get('access-control-allow-origin')).toBe(SITE);
      expectApiHeaders(response.headers);
    }
    expect(app.eventStreams.size).toBe(0);
    expect(live(sessionId)).toBe(0);
    expect(live(mine.sessionId)).toBe(0);
  });

  it('beyond the cap per client address: 429 with Retry-After; streams that end free their place', async () => {
    const sessions = await Promise.all(Array.from({ length: PER_IP + 1 }, () => http.newSession()));
    const open = (session: { sessionId: string; token: string }) =>
      openSse(`${app.url}/api/session/${session.sessionId}/events`, {
        authorization: `Bearer ${session.token}`,
      });
    const streams = [];
    for (const session of sessions.slice(0, PER_IP)) streams.push(await open(session));
    for (const stream of streams) expect(stream.status).toBe(200);

    const last = sessions[PER_IP] as (typeof sessions)[number];
    const refused = await get(`/api/session/${last.sessionId}/events`, {
      authorization: `Bearer ${last.token}`,
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(refused.body).toEqual({ error: { code: 'rate_limited', message: expect.any(String) } });
    expect(live(last.sessionId)).toBe(0);

    await streams[0]?.close();
    await eventually(async () => app.eventStreams.size === PER_IP - 1);
    const admitted = await open(last);
    expect(admitted.status).toBe(200);
    for (const stream of [...streams.slice(1), admitted]) await stream.close();
    await eventually(async () => app.eventStreams.size === 0);
    for (const session of sessions) expect(live(session.sessionId)).toBe(0);
  });

  it('the CORS preflight stays with Koa; other methods are refused (405)', async () => {
    const { sessionId, token } = await http.newSession();
    const preflight = await fetch(`${app.url}/api/session/${sessionId}/events`, {
      method: 'OPTIONS',
      headers: {
        origin: SITE,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization,last-event-id',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(SITE);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('Last-Event-ID');

    const post = await fetch(`${app.url}/api/session/${sessionId}/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
    expect((await post.json()).error.code).toBe('method_not_allowed');
    expectApiHeaders(post.headers);
    expect(app.eventStreams.size).toBe(0);
  });
});
