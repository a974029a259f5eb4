import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKind } from './support/database.ts';
import { httpClient } from './support/http.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

let app: TestApp;
let http: ReturnType<typeof httpClient>;

beforeAll(async () => {
  app = await startTestApp({
    TRUST_PROXY: 'true',
    TRUST_PROXY_HOPS: '1',
    RATE_LIMIT_SESSIONS: '3',
    RATE_LIMIT_SESSIONS_WINDOW_SECONDS: '600',
  });
  http = httpClient(app.url);
}, 60_000);
afterAll(() => app?.close());

/** A session request as it leaves our one proxy: the client's own header, then the address the proxy saw. */
const createSession = (clientHeader: string | undefined, seenByProxy: string) =>
  http.post('/api/session', {
    json: {},
    headers: { 'x-forwarded-for': clientHeader ? `${clientHeader}, ${seenByProxy}` : seenByProxy },
  });

describe(`client address behind TRUST_PROXY (${databaseKind})`, () => {
  it('is the address the last proxy hop saw: X-Forwarded-For entries the client wrote do not count', async () => {
    const real = '203.0.113.7';
    for (let i = 0; i < 3; i++) expect((await createSession(undefined, real)).status).toBe(201);
    // Spoofed, ever-changing first entries: still the same client, still limited.
    for (const spoofed of ['1.2.3.4', '5.6.7.8, 9.9.9.9', '127.0.0.1', '']) {
      const refused = await createSession(spoofed || undefined, real);
      expect(refused.status).toBe(429);
      expect(refused.body.error.code).toBe('rate_limited');
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    }
    // Another client behind the same proxy has its own budget.
    expect((await createSession('1.2.3.4', '203.0.113.8')).status).toBe(201);
  });
});
