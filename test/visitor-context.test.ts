import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityHash } from '../core/visitor-identity.ts';
import { databaseKind } from './support/database.ts';
import { httpClient } from './support/http.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

/** Issue 14 §4: where the visitor is (page context) and who they are (identify). */
const SECRET = 'identity-secret-identity-secret-0123456789';
const ADMIN_TOKEN = 'admin-token-0123456789';

let app: TestApp;
let noSecret: TestApp;
let http: ReturnType<typeof httpClient>;

beforeAll(async () => {
  [app, noSecret] = await Promise.all([
    startTestApp({ IDENTITY_SECRET: SECRET, ADMIN_TOKEN }),
    startTestApp(),
  ]);
  http = httpClient(app.url);
});
afterAll(async () => {
  await app?.close();
  await noSecret?.close();
});

type Row = Record<string, unknown>;
const sessionRow = async (target: TestApp, id: string) =>
  (
    await target.orm.em
      .getConnection()
      .execute<Row[]>(
        'select page_url, page_title, referer, utm, time_zone, locale, external_id, visitor_name, visitor_email from support_sessions where id = ?',
        [id],
      )
  )[0];
const allSessions = (target: TestApp) =>
  target.orm.em
    .getConnection()
    .execute<Row[]>('select id, external_id, visitor_name, visitor_email from support_sessions order by id');

describe(`page context on ${databaseKind}`, () => {
  it('is stored at session creation and replaced by PUT /api/session/:id/context', async () => {
    const created = await http.post('/api/session', {
      json: {
        context: {
          url: 'https://shop.example/landing?utm_source=news',
          title: 'Landing',
          referrer: 'https://search.example/?q=shoes',
          utm: { source: 'news', medium: 'email', campaign: 'spring' },
          time_zone: 'Europe/Berlin',
          language: 'de-DE',
        },
      },
    });
    expect(created.status).toBe(201);
    const { session_id: id, access_token: token } = created.body;
    expect(await sessionRow(app, id)).toMatchObject({
      page_url: 'https://shop.example/landing?utm_source=news',
      page_title: 'Landing',
      referer: 'https://search.example/?q=shoes',
      utm: { source: 'news', medium: 'email', campaign: 'spring' },
      time_zone: 'Europe/Berlin',
      locale: 'de-DE',
    });

    const put = await http.request('PUT', `/api/session/${id}/context`, {
      token,
      json: { url: 'https://shop.example/pricing#plans', title: 'Pricing <b>' },
    });
    expect(put.status).toBe(204);
    expect(await sessionRow(app, id)).toMatchObject({
      page_url: 'https://shop.example/pricing#plans',
      page_title: 'Pricing <b>',
      // what was not sent stays
      utm: { source: 'news', medium: 'email', campaign: 'spring' },
      time_zone: 'Europe/Berlin',
    });
  });

  it('refuses what is not an http(s) URL, too long or unknown, and another session, changing nothing', async () => {
    const { sessionId, token } = await http.newSession();
    const other = await http.newSession();
    const put = (json: unknown, as = token, id = sessionId) =>
      http.request('PUT', `/api/session/${id}/context`, { token: as, json });
    for (const bad of [
      { url: 'javascript:alert(1)' },
      { url: 'data:text/html,hi' },
      { url: `https://a.example/${'x'.repeat(2100)}` },
      { title: 'x'.repeat(301) },
      { referrer: 'ftp://files.example/' },
      { utm: { source: 'x'.repeat(201) } },
      { utm: { evil: 'x' } },
      { time_zone: 'Europe/Berlin; drop table' },
      { url: 'https://a.example/', admin: true },
    ]) {
      const response = await put(bad);
      expect(response.status, JSON.stringify(bad).slice(0, 80)).toBe(400);
      expect(response.body.error.code).toBe('validation_failed');
    }
    expect((await put({ url: 'https://a.example/' }, other.token)).status).toBe(404);
    const anonymous = await http.request('PUT', `/api/session/${sessionId}/context`, {
      json: { url: 'https://a.example/' },
    });
    expect(anonymous.status).toBe(401);
    expect(await sessionRow(app, sessionId)).toMatchObject({ page_url: null, page_title: null, utm: null });
  });

  it('is rate-limited per session', async () => {
    const { sessionId, token } = await http.newSession();
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      const response = await http.request('PUT', `/api/session/${sessionId}/context`, {
        token,
        json: { url: `https://a.example/page/${i}` },
      });
      statuses.push(response.status);
    }
    expect(statuses.filter((status) => status === 204).length).toBeGreaterThanOrEqual(30);
    expect(statuses.at(-1)).toBe(429);
  });
});

describe(`identified visitors on ${databaseKind}`, () => {
  const identify = (
    target: { sessionId: string; token: string },
    body: Record<string, unknown>,
    client = http,
  ) => client.post(`/api/session/${target.sessionId}/identify`, { token: target.token, json: body });

  it('keeps one history across devices: a second session with the same verified id gets the same conversation', async () => {
    const laptop = await http.newSession();
    await http.post(`/api/session/${laptop.sessionId}/messages`, {
      token: laptop.token,
      json: { body: 'Hello from the laptop' },
    });
    const hash = identityHash(SECRET, 'user-42');
    const first = await identify(laptop, {
      id: 'user-42',
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      hash,
    });
    expect(first.status).toBe(200);
    // The first session of an id becomes the identity's session, history included.
    expect(first.body.session_id).toBe(laptop.sessionId);
    expect(await sessionRow(app, laptop.sessionId)).toMatchObject({
      external_id: 'user-42',
      visitor_name: 'Ada Lovelace',
      visitor_email: 'ada@example.com',
    });

    const phone = await http.newSession();
    await http.post(`/api/session/${phone.sessionId}/messages`, {
      token: phone.token,
      json: { body: 'Anonymous on the phone' },
    });
    const second = await identify(phone, { id: 'user-42', hash: hash.toUpperCase() });
    expect(second.status).toBe(200);
    expect(second.body.session_id).toBe(laptop.sessionId);
    // The answer's token opens the identity's conversation.
    const conversation = await http.get(`/api/session/${laptop.sessionId}`, {
      token: second.body.access_token,
    });
    expect(conversation.status).toBe(200);
    expect(conversation.body.messages.map((m: { body: string }) => m.body)).toEqual([
      'Hello from the laptop',
    ]);
    // The phone's anonymous session keeps its own messages, and the phone's token still opens only it.
    const anonymous = await http.get(`/api/session/${phone.sessionId}`, { token: phone.token });
    expect(anonymous.body.messages.map((m: { body: string }) => m.body)).toEqual(['Anonymous on the phone']);
    expect((await http.get(`/api/session/${laptop.sessionId}`, { token: phone.token })).status).toBe(404);
    expect(await sessionRow(app, phone.sessionId)).toMatchObject({ external_id: null });

    // The visitor's data export names who the site said they are.
    const exported = await http.get(`/api/admin/sessions/${laptop.sessionId}/export`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(exported.status).toBe(200);
    expect(exported.body.session.identity).toEqual({
      id: 'user-42',
      name: 'Ada Lovelace',
      email: 'ada@example.com',
    });
  });

  it('gives a session of another identity a new session rather than moving it', async () => {
    const browser = await http.newSession();
    const alice = await identify(browser, { id: 'alice', hash: identityHash(SECRET, 'alice') });
    expect(alice.body.session_id).toBe(browser.sessionId);
    const bob = await identify(browser, { id: 'bob', name: 'Bob', hash: identityHash(SECRET, 'bob') });
    expect(bob.status).toBe(200);
    expect(bob.body.session_id).not.toBe(browser.sessionId);
    expect(await sessionRow(app, browser.sessionId)).toMatchObject({ external_id: 'alice' });
    expect(await sessionRow(app, bob.body.session_id)).toMatchObject({
      external_id: 'bob',
      visitor_name: 'Bob',
    });
  });

  it('refuses a wrong hash, an oversized id or email, and a server without IDENTITY_SECRET, changing nothing', async () => {
    const victim = await http.newSession();
    await identify(victim, { id: 'victim', hash: identityHash(SECRET, 'victim') });
    const attacker = await http.newSession();
    const before = await allSessions(app);

    const wrong = [
      { id: 'victim', hash: identityHash('another-secret-another-secret-0123456789', 'victim') },
      { id: 'victim', hash: identityHash(SECRET, 'victim2') },
      { id: 'victim', hash: '0'.repeat(64) },
    ];
    for (const body of wrong) {
      const response = await identify(attacker, body);
      expect(response.status).toBe(403);
      expect(response.body).toEqual({ error: { code: 'forbidden', message: expect.stringMatching(/hash/) } });
      expect(JSON.stringify(response.body)).not.toContain(SECRET);
    }
    const invalid = [
      { id: 'victim', hash: 'not-hex' },
      { id: 'victim' },
      { id: 'x'.repeat(256), hash: identityHash(SECRET, 'x'.repeat(256)) },
      { id: 'victim', email: `${'a'.repeat(320)}@example.com`, hash: identityHash(SECRET, 'victim') },
      { id: 'victim', email: 'not an email', hash: identityHash(SECRET, 'victim') },
      { id: '', hash: identityHash(SECRET, '') },
    ];
    for (const body of invalid) {
      const response = await identify(attacker, body);
      expect(response.status, JSON.stringify(body).slice(0, 60)).toBe(400);
      expect(response.body.error.code).toBe('validation_failed');
    }
    // Another session's id in the path: not found, whatever the hash.
    const crossed = await http.post(`/api/session/${victim.sessionId}/identify`, {
      token: attacker.token,
      json: { id: 'victim', hash: identityHash(SECRET, 'victim') },
    });
    expect(crossed.status).toBe(404);
    expect(await allSessions(app)).toEqual(before);

    // No IDENTITY_SECRET on the server: refused, even with a hash made with some secret.
    const other = httpClient(noSecret.url);
    const visitor = await other.newSession();
    const beforeOther = await allSessions(noSecret);
    const refused = await identify(visitor, { id: 'victim', hash: identityHash(SECRET, 'victim') }, other);
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/IDENTITY_SECRET/);
    expect(await allSessions(noSecret)).toEqual(beforeOther);
  });

  it('refuses an IDENTITY_SECRET shorter than 32 characters at start', async () => {
    const { parseConfig } = await import('../app/config.ts');
    expect(() => parseConfig({ IDENTITY_SECRET: 'short' })).toThrow(/IDENTITY_SECRET/);
  });
});

describe(`page context only from the sites allowed to embed the chat (${databaseKind})`, () => {
  let shop: TestApp;
  beforeAll(async () => {
    shop = await startTestApp({ WIDGET_ORIGINS: 'https://shop.example,https://blog.shop.example' });
  });
  afterAll(() => shop?.close());

  it('a page of another site is refused (400) and changes nothing; the referrer may be anywhere', async () => {
    const client = httpClient(shop.url);
    const forged = await client.request('POST', '/api/session', {
      json: { context: { url: 'https://evil.example/phish', title: 'Totally the shop' } },
    });
    expect(forged.status).toBe(400);
    expect(forged.body.error.code).toBe('validation_failed');
    const before = await shop.count('support_sessions');

    const created = await client.request('POST', '/api/session', {
      json: { context: { url: 'https://blog.shop.example/post', referrer: 'https://search.example/?q=x' } },
    });
    expect(created.status).toBe(201);
    const { session_id: id, access_token: token } = created.body;
    expect(await shop.count('support_sessions')).toBe(before + 1);

    const refused = await client.request('PUT', `/api/session/${id}/context`, {
      token,
      json: { url: 'https://shop.example.evil.example/checkout' },
    });
    expect(refused.status).toBe(400);
    expect((await sessionRow(shop, id))?.page_url).toBe('https://blog.shop.example/post');
    const moved = await client.request('PUT', `/api/session/${id}/context`, {
      token,
      json: { url: 'https://shop.example/checkout' },
    });
    expect(moved.status).toBe(204);
    expect((await sessionRow(shop, id))?.page_url).toBe('https://shop.example/checkout');
  });
});
