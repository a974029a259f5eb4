import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeTelegram, startFakeTelegram } from './fake-telegram/index.ts';
import { databaseKind } from './support/database.ts';
import { signInitData } from './support/init-data.ts';
import { fakeSupportGroup } from './support/support-group.ts';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from './support/test-app.ts';
import { newVisitor, type Visitor } from './support/visitor.ts';

const GROUP = -1001234567890;
const ALICE = { id: 1001, first_name: 'Alice', username: 'alice' };
const MALLORY = { id: 6666, first_name: 'Mallory', username: 'mallory' };
const WEBHOOK_SECRET = 'webhook-secret-0123456789';
const ADMIN_TOKEN = 'admin-token-0123456789';

type Case = {
  name: string;
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | FormData;
};

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const signVisitorToken = (claims: Record<string, unknown>, secret = TEST_JWT_SECRET, alg = 'HS256') => {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT' }).setIssuedAt();
  if (!('exp' in claims)) jwt.setExpirationTime('1h');
  return jwt.sign(new TextEncoder().encode(secret));
};

/**
 * A catalogue of hostile or broken requests: every one answers 4xx (never 5xx) and writes nothing.
 */
describe(`bad inputs (${databaseKind})`, () => {
  let fake: FakeTelegram;
  let app: TestApp;
  let mine: Visitor;
  let theirs: Visitor;
  let myTicket: number;
  let theirTicket: number;
  let theirMedia: string;

  /**
   * Rows of every table the product writes, plus queued jobs. Aside: the migrations' bookkeeping, and the
   * visitor limits' counters on PostgreSQL (`visitor_limit_*`: a refused request may still count against
   * its sender's limits, as it does in memory on PGlite).
   */
  const rowCounts = async () => {
    const tables = await app.orm.em.getConnection().execute<{ table_name: string }[]>(
      `select table_name from information_schema.tables
          where table_schema = 'public' and table_type = 'BASE TABLE' and table_name <> 'mikro_orm_migrations'
            and table_name not like 'visitor\\_limit\\_%'
          order by table_name`,
    );
    const counts: Record<string, number> = {};
    for (const { table_name: table } of tables) counts[table] = await app.count(`"${table}"`);
    counts['pgboss.job'] = await app.count('pgboss.job');
    return counts;
  };

  const send = async (request: Case) => {
    const response = await fetch(`${app.url}${request.path}`, {
      method: request.method ?? 'POST',
      headers: request.headers,
      body: request.body,
    });
    await response.arrayBuffer();
    return response.status;
  };
  /** Runs the cases; returns those that did not answer 4xx, with what they answered. */
  const misbehaving = async (cases: Case[]) => {
    const wrong: string[] = [];
    for (const request of cases) {
      const status = await send(request).catch((error: Error) => `network error: ${error.message}`);
      if (typeof status !== 'number' || status < 400 || status >= 500)
        wrong.push(`${request.name} → ${status}`);
    }
    return wrong;
  };

  beforeAll(async () => {
    fake = await startFakeTelegram();
    const telegramEnv = fakeSupportGroup(fake, GROUP, [ALICE]);
    fake.addUser(MALLORY);
    app = await startTestApp({
      ...telegramEnv,
      BOT_MODE: 'webhook',
      WEBHOOK_SECRET,
      ADMIN_TOKEN,
      AFTER_HOURS_MINUTES: '600',
    });
    mine = await newVisitor(app.url);
    theirs = await newVisitor(app.url);
    myTicket = (await mine.say('my question')).ticket.id;
    theirTicket = (await theirs.say('their question')).ticket.id;
    const form = new FormData();
    form.append('file', new Blob([Buffer.from('%PDF-1.4 theirs')], { type: 'application/pdf' }), 'a.pdf');
    const upload = await fetch(`${app.url}/api/session/${theirs.sessionId}/media`, {
      method: 'POST',
      headers: { authorization: `Bearer ${theirs.token}` },
      body: form,
    });
    theirMedia = ((await upload.json()) as { message: { media_url: string } }).message.media_url;
    // Let the bot's deliveries (cards) settle, so that only the catalogue could change the counts.
    await fake.waitFor(() => fake.sentTo(GROUP).length >= 2, { timeoutMs: 15_000 });
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await fake?.close();
  });

  it('the visitor API: malformed, oversized, mistyped, foreign and forged requests → 4xx, nothing written', async () => {
    const json = (token?: string) => ({
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    });
    const my = json(mine.token);
    const messages = `/api/session/${mine.sessionId}/messages`;
    const now = Math.floor(Date.now() / 1000);
    const claims = { session_id: mine.sessionId, role: 'visitor' };
    const tokens = {
      garbage: 'not.a.token',
      truncated: mine.token.slice(0, -10),
      tamperedSignature: `${mine.token.slice(0, -2)}${mine.token.endsWith('AA') ? 'BB' : 'AA'}`,
      forged: await signVisitorToken(claims, 'another-secret-another-secret-0123456789'),
      expired: await signVisitorToken({ ...claims, iat: now - 7200, exp: now - 3600 }),
      algNone: `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ ...claims, iat: now, exp: now + 3600 })}.`,
      hs512: await signVisitorToken(claims, TEST_JWT_SECRET, 'HS512'),
      agentRole: await signVisitorToken({ ...claims, role: 'agent' }),
      notUuid: await signVisitorToken({ ...claims, session_id: 'not-a-uuid' }),
      noExpiry: await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuedAt()
        .sign(new TextEncoder().encode(TEST_JWT_SECRET)),
    };
    const upload = (file?: Blob, name = 'x.bin') => {
      const form = new FormData();
      if (file) form.append('file', file, name);
      form.append('body', 'caption');
      return form;
    };

    const cases: Case[] = [
      // session creation
      { name: 'session: malformed JSON', path: '/api/session', headers: json(), body: '{"locale":' },
      { name: 'session: wrong types', path: '/api/session', headers: json(), body: '{"locale":5}' },
      { name: 'session: array body', path: '/api/session', headers: json(), body: '[1,2,3]' },
      {
        name: 'session: 100 KB body',
        path: '/api/session',
        headers: json(),
        body: JSON.stringify({ referer: 'x'.repeat(100_000) }),
      },
      // messages: bodies
      { name: 'message: malformed JSON', path: messages, headers: my, body: '{"body": "hi"' },
      { name: 'message: not JSON at all', path: messages, headers: my, body: 'hello' },
      {
        name: 'message: text/plain',
        path: messages,
        headers: { ...my, 'content-type': 'text/plain' },
        body: 'hi',
      },
      { name: 'message: no body', path: messages, headers: my },
      { name: 'message: empty object', path: messages, headers: my, body: '{}' },
      { name: 'message: body is a number', path: messages, headers: my, body: '{"body":42}' },
      { name: 'message: body is null', path: messages, headers: my, body: '{"body":null}' },
      { name: 'message: body is an array', path: messages, headers: my, body: '{"body":["hi"]}' },
      { name: 'message: body is empty', path: messages, headers: my, body: '{"body":""}' },
      { name: 'message: body is blank', path: messages, headers: my, body: '{"body":"   \\n\\t "}' },
      {
        name: 'message: 8001 UTF-16 units',
        path: messages,
        headers: my,
        body: JSON.stringify({ body: 'x'.repeat(8001) }),
      },
      {
        name: 'message: unknown category',
        path: messages,
        headers: my,
        body: '{"body":"hi","category":"Nope"}',
      },
      {
        name: 'message: category is a number',
        path: messages,
        headers: my,
        body: '{"body":"hi","category":7}',
      },
      {
        name: 'message: 1 MB body',
        path: messages,
        headers: my,
        body: JSON.stringify({ body: 'x'.repeat(1_000_000) }),
      },
      {
        name: 'message: deeply nested JSON',
        path: messages,
        headers: my,
        body: `{"body":${'['.repeat(5000)}${']'.repeat(5000)}}`,
      },
      // ids
      {
        name: 'message: session id not a uuid',
        path: '/api/session/not-a-uuid/messages',
        headers: my,
        body: '{"body":"hi"}',
      },
      {
        name: 'message: unknown session id',
        path: '/api/session/00000000-0000-4000-8000-000000000000/messages',
        headers: my,
        body: '{"body":"hi"}',
      },
      {
        name: "message: another session's id",
        path: `/api/session/${theirs.sessionId}/messages`,
        headers: my,
        body: '{"body":"hi"}',
      },
      {
        name: 'conversation: after=abc',
        method: 'GET',
        path: `/api/session/${mine.sessionId}?after=abc`,
        headers: my,
      },
      {
        name: 'conversation: after=-1',
        method: 'GET',
        path: `/api/session/${mine.sessionId}?after=-1`,
        headers: my,
      },
      {
        name: 'conversation: after=huge',
        method: 'GET',
        path: `/api/session/${mine.sessionId}?after=999999999999999999999999`,
        headers: my,
      },
      {
        name: 'conversation: malformed percent-encoding',
        method: 'GET',
        path: '/api/session/%E0%A4%A',
        headers: my,
      },
      {
        name: 'events: Last-Event-ID abc',
        method: 'GET',
        path: `/api/session/${mine.sessionId}/events`,
        headers: { ...my, 'last-event-id': 'abc' },
      },
      {
        name: 'conversation: after=NUL',
        method: 'GET',
        path: `/api/session/${mine.sessionId}?after=%00`,
        headers: my,
      },
      { name: 'conversation: session id NUL', method: 'GET', path: '/api/session/%00', headers: my },
      {
        name: 'events: session id with a NUL',
        method: 'GET',
        path: `/api/session/${mine.sessionId}%00/events`,
        headers: my,
      },
      { name: 'close: ticket id NUL', path: '/api/tickets/%00/close', headers: my },
      { name: 'close: ticket id 1 then NUL', path: `/api/tickets/${myTicket}%00/close`, headers: my },
      {
        name: 'media: file name with a NUL',
        method: 'GET',
        path: `${theirMedia.replace(theirs.sessionId, mine.sessionId)}%00`,
        headers: my,
      },
      { name: 'close: ticket id abc', path: '/api/tickets/abc/close', headers: my },
      { name: 'close: ticket id 0', path: '/api/tickets/0/close', headers: my },
      { name: 'close: ticket id -1', path: '/api/tickets/-1/close', headers: my },
      {
        name: 'close: ticket id 1e30',
        path: '/api/tickets/1000000000000000000000000000000/close',
        headers: my,
      },
      { name: "close: another session's ticket", path: `/api/tickets/${theirTicket}/close`, headers: my },
      {
        name: 'rating: open ticket',
        path: `/api/tickets/${myTicket}/rating`,
        headers: my,
        body: '{"rating":5}',
      },
      { name: 'rating: 6 stars', path: `/api/tickets/${myTicket}/rating`, headers: my, body: '{"rating":6}' },
      { name: 'rating: "5"', path: `/api/tickets/${myTicket}/rating`, headers: my, body: '{"rating":"5"}' },
      {
        name: "rating: another session's ticket",
        path: `/api/tickets/${theirTicket}/rating`,
        headers: my,
        body: '{"rating":1}',
      },
      { name: 'contact: empty', path: `/api/session/${mine.sessionId}/contact`, headers: my, body: '{}' },
      {
        name: 'contact: bad email',
        path: `/api/session/${mine.sessionId}/contact`,
        headers: my,
        body: '{"email":"no"}',
      },
      {
        name: 'contact: email is a number',
        path: `/api/session/${mine.sessionId}/contact`,
        headers: my,
        body: '{"email":5}',
      },
      // media
      {
        name: 'media: no file',
        path: `/api/session/${mine.sessionId}/media`,
        headers: { authorization: `Bearer ${mine.token}` },
        body: upload(),
      },
      {
        name: 'media: executable',
        path: `/api/session/${mine.sessionId}/media`,
        headers: { authorization: `Bearer ${mine.token}` },
        body: upload(new Blob(['MZ'], { type: 'application/x-msdownload' }), 'virus.exe'),
      },
      {
        name: 'media: 11 MB',
        path: `/api/session/${mine.sessionId}/media`,
        headers: { authorization: `Bearer ${mine.token}` },
        body: upload(new Blob([new Uint8Array(11 * 1024 * 1024)], { type: 'application/pdf' }), 'big.pdf'),
      },
      {
        name: 'media: JSON instead of multipart',
        path: `/api/session/${mine.sessionId}/media`,
        headers: my,
        body: '{"file":"x"}',
      },
      {
        name: "media: another session's file",
        method: 'GET',
        path: theirMedia.replace(theirs.sessionId, mine.sessionId),
        headers: my,
      },
      { name: "media: another session's path", method: 'GET', path: theirMedia, headers: my },
      {
        name: 'media: path traversal',
        method: 'GET',
        path: `/api/session/${mine.sessionId}/media/..%2F..%2F..%2Fetc%2Fpasswd`,
        headers: my,
      },
      // tokens
      { name: 'token: missing', path: messages, headers: json(), body: '{"body":"hi"}' },
      {
        name: 'token: Basic scheme',
        path: messages,
        headers: { ...json(), authorization: `Basic ${mine.token}` },
        body: '{"body":"hi"}',
      },
      {
        name: 'token: empty bearer',
        path: messages,
        headers: { ...json(), authorization: 'Bearer ' },
        body: '{"body":"hi"}',
      },
      ...Object.entries(tokens).map(([kind, token]) => ({
        name: `token: ${kind}`,
        path: messages,
        headers: json(token),
        body: '{"body":"hi"}',
      })),
      {
        name: "token: another session's",
        path: messages,
        headers: json(theirs.token),
        body: '{"body":"hi"}',
      },
      {
        name: "token: another session's, on events",
        method: 'GET',
        path: `/api/session/${mine.sessionId}/events`,
        headers: json(theirs.token),
      },
      // Telegram webhook and setup
      { name: 'webhook: no secret', path: '/api/telegram/webhook', headers: json(), body: '{"update_id":1}' },
      {
        name: 'webhook: wrong secret',
        path: '/api/telegram/webhook',
        headers: { ...json(), 'x-telegram-bot-api-secret-token': 'wrong-secret-0123456789' },
        body: '{"update_id":1}',
      },
      {
        name: 'webhook: malformed JSON with the secret',
        path: '/api/telegram/webhook',
        headers: { ...json(), 'x-telegram-bot-api-secret-token': WEBHOOK_SECRET },
        body: '{"update_id":',
      },
      ...['{}', '[]', '{"update_id":"1"}', '{"update_id":1e300}', '{"update_id":-5}'].map((body) => ({
        name: `webhook: not an update (${body}) with the secret`,
        path: '/api/telegram/webhook',
        headers: { ...json(), 'x-telegram-bot-api-secret-token': WEBHOOK_SECRET },
        body,
      })),
      { name: 'setup: no admin token', path: '/api/setup/telegram-webhook?webhook_url=https://x.example/h' },
      {
        name: 'setup: wrong admin token',
        path: '/api/setup/telegram-webhook?webhook_url=https://x.example/h',
        headers: { authorization: 'Bearer wrong-admin-token-0123' },
      },
      {
        name: 'setup: http webhook url',
        path: '/api/setup/telegram-webhook?webhook_url=http://x.example/h',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      },
      // methods and paths
      { name: 'PUT /api/session', method: 'PUT', path: '/api/session', headers: json(), body: '{}' },
      { name: 'DELETE a session', method: 'DELETE', path: `/api/session/${mine.sessionId}`, headers: my },
      { name: 'unknown API path', method: 'GET', path: '/api/nothing-here' },
    ];

    const before = await rowCounts();
    expect(await misbehaving(cases)).toEqual([]);
    expect(await rowCounts()).toEqual(before);
    // The real requests still work afterwards.
    expect((await mine.conversation()).messages.map((m) => m.body)).toEqual(['my question']);
  }, 60_000);

  it('the Telegram webhook reads no body before its secret header matched', async () => {
    const webhook = (secret: string | undefined, body: string) =>
      send({
        name: 'webhook',
        path: '/api/telegram/webhook',
        headers: {
          'content-type': 'application/json',
          ...(secret ? { 'x-telegram-bot-api-secret-token': secret } : {}),
        },
        body,
      });
    // Malformed JSON is refused for the missing or wrong secret, not for the JSON: it was never parsed.
    expect(await webhook(undefined, '{"update_id":')).toBe(403);
    expect(await webhook('wrong-secret-0123456789', '{"update_id":')).toBe(403);
    expect(await webhook(WEBHOOK_SECRET, '{"update_id":')).toBe(400);
  });

  it('the agent API: forged, tampered, expired or foreign initData → 4xx, nothing written', async () => {
    const valid = signInitData(fake.token, ALICE);
    const tampered = new URLSearchParams(valid);
    tampered.set('user', JSON.stringify({ id: MALLORY.id, first_name: 'Mallory' }));
    const noHash = new URLSearchParams(valid);
    noHash.delete('hash');
    const tma = (initData: string) => ({
      authorization: `tma ${initData}`,
      'content-type': 'application/json',
    });
    const initDataCases: [string, Record<string, string>][] = [
      ['missing Authorization', { 'content-type': 'application/json' }],
      ['empty tma', { authorization: 'tma ', 'content-type': 'application/json' }],
      ['Bearer instead of tma', { authorization: `Bearer ${valid}`, 'content-type': 'application/json' }],
      ['garbage', tma('hello world')],
      [
        'signed with another bot token',
        tma(signInitData('654321:ANOTHER-token-abcdefghijklmnopqrstuvwx', ALICE)),
      ],
      ['user swapped after signing', tma(tampered.toString())],
      ['hash removed', tma(noHash.toString())],
      ['expired (two days old)', tma(signInitData(fake.token, ALICE, { ageSeconds: 2 * 86_400 }))],
      [
        'dated in the future',
        tma(signInitData(fake.token, ALICE, { authDate: new Date(Date.now() + 86_400_000) })),
      ],
      ['valid, but not a member of the support group', tma(signInitData(fake.token, MALLORY))],
    ];
    const paths: [string, string, string?][] = [
      ['GET', '/api/agent/me'],
      ['GET', '/api/agent/queue'],
      ['POST', `/api/agent/tickets/${myTicket}/claim`],
      ['POST', `/api/agent/tickets/${myTicket}/messages`, '{"body":"forged reply"}'],
      ['POST', `/api/agent/tickets/${myTicket}/close`, '{}'],
    ];
    const cases: Case[] = initDataCases.flatMap(([name, headers]) =>
      paths.map(([method, path, body]) => ({
        name: `${name}: ${method} ${path}`,
        method,
        path,
        headers,
        body,
      })),
    );
    const aliceHeaders = tma(valid);
    cases.push(
      {
        name: 'agent: ticket id abc',
        method: 'GET',
        path: '/api/agent/tickets/abc',
        headers: aliceHeaders,
      },
      {
        name: 'agent: unknown ticket',
        method: 'POST',
        path: '/api/agent/tickets/999999/claim',
        headers: aliceHeaders,
      },
      {
        name: 'agent: reply to an unclaimed ticket',
        path: `/api/agent/tickets/${theirTicket}/messages`,
        headers: aliceHeaders,
        body: '{"body":"hi"}',
      },
      {
        name: 'agent: malformed JSON',
        path: `/api/agent/tickets/${theirTicket}/messages`,
        headers: aliceHeaders,
        body: '{"body":',
      },
    );

    // Alice is a real agent: her first call creates her row. Everything after it must write nothing.
    expect(
      await send({ name: 'agent: me', method: 'GET', path: '/api/agent/me', headers: aliceHeaders }),
    ).toBe(200);
    const before = await rowCounts();
    expect(await misbehaving(cases)).toEqual([]);
    expect(await rowCounts()).toEqual(before);
  });

  /**
   * Text the definition of contract/text.ts refuses, in every string field of the visitor and agent APIs:
   * each answers exactly 400 `validation_failed` (not the 403 / 409 / 500 it would meet further in) and
   * writes nothing.
   */
  it('invalid, invisible-only and over-long text in any field → 400 validation_failed, nothing written', async () => {
    const invalid: [string, string][] = [
      ['NUL', 'a\u0000b'],
      ['a lone high surrogate', 'a\ud83db'],
      ['a lone low surrogate', 'a\ude00'],
      ['an escape sequence', 'a\u001b[31mred'],
      ['a backspace', 'a\bb'],
      ['a vertical tab', 'a\vb'],
      ['DEL', 'a\u007f'],
      ['a C1 control', 'a\u0085b'],
      ['the noncharacter U+FFFF', 'a\uffff'],
      ['the noncharacter U+FFFE', '\ufffea'],
      ['the noncharacter U+10FFFF', 'a\u{10ffff}'],
    ];
    const invisible: [string, string][] = [
      ['zero-width spaces', '\u200b\u200b'],
      ['joiners', '\u200c\u200d\u2060'],
      ['a BOM', '\ufeff'],
      ['Hangul fillers', '\u3164\u115f\u1160\uffa0'],
      ['blank braille', '\u2800\u2800'],
      ['bidi marks and a soft hyphen', '\u200e\u200f\u00ad\u061c'],
      ['a mix with white space', ' \u200b\u3000\u2800\ufeff\n\t '],
    ];
    const my = { 'content-type': 'application/json', authorization: `Bearer ${mine.token}` };
    const uploader = await newVisitor(app.url);
    const alice = {
      'content-type': 'application/json',
      authorization: `tma ${signInitData(fake.token, ALICE)}`,
    };
    const messages = `/api/session/${mine.sessionId}/messages`;
    const reply = `/api/agent/tickets/${theirTicket}/messages`;
    const agentClose = `/api/agent/tickets/${theirTicket}/close`;
    const post = (name: string, path: string, headers: Record<string, string>, body: unknown): Case => ({
      name,
      path,
      headers,
      body: JSON.stringify(body),
    });
    const withCaption = (caption: string) => {
      const form = new FormData();
      form.append('file', new Blob([Buffer.from('%PDF-1.4 mine')], { type: 'application/pdf' }), 'a.pdf');
      form.append('body', caption);
      return form;
    };

    const cases: Case[] = [
      ...invalid.flatMap(([what, text]) => [
        post(
          `session: locale with ${what}`,
          '/api/session',
          { 'content-type': 'application/json' },
          { locale: `en${text}` },
        ),
        post(
          `session: referer with ${what}`,
          '/api/session',
          { 'content-type': 'application/json' },
          { referer: text },
        ),
        post(`message: body with ${what}`, messages, my, { body: text }),
        post(`message: category with ${what}`, messages, my, { body: 'hi', category: `Billing${text}` }),
        post(`rating: comment with ${what}`, `/api/tickets/${myTicket}/rating`, my, {
          rating: 5,
          comment: text,
        }),
        post(`contact: email with ${what}`, `/api/session/${mine.sessionId}/contact`, my, {
          email: `a${text}@x.example`,
        }),
        post(`contact: phone with ${what}`, `/api/session/${mine.sessionId}/contact`, my, {
          phone: `+1 555 0100${text}`,
        }),
        post(`agent reply: body with ${what}`, reply, alice, { body: text }),
        post(`agent close: note with ${what}`, agentClose, alice, { note: text }),
      ]),
      ...invisible.flatMap(([what, text]) => [
        post(`message: body of only ${what}`, messages, my, { body: text }),
        post(`message: category of only ${what}`, messages, my, { body: 'hi', category: text }),
        post(`agent reply: body of only ${what}`, reply, alice, { body: text }),
      ]),
      // Lengths in UTF-16 code units, as Telegram counts them: an emoji is 2.
      post('message: 8001 ASCII characters', messages, my, { body: 'x'.repeat(8001) }),
      post('message: 4001 emoji (8002 units)', messages, my, { body: '😀'.repeat(4001) }),
      post('rating: comment of 501 emoji (1002 units)', `/api/tickets/${myTicket}/rating`, my, {
        rating: 5,
        comment: '😀'.repeat(501),
      }),
      post(
        'session: referer of 2049 characters',
        '/api/session',
        { 'content-type': 'application/json' },
        {
          referer: 'r'.repeat(2049),
        },
      ),
      // Uploads count against the message rate limit before their body is read: a few, from their own session.
      ...[
        ['NUL', 'a\u0000b'],
        ['a lone surrogate', 'a\ud83d'],
        ['4001 emoji (8002 units)', '😀'.repeat(4001)],
      ].map(([what, caption]) => ({
        name: `media: caption with ${what}`,
        path: `/api/session/${uploader.sessionId}/media`,
        headers: { authorization: `Bearer ${uploader.token}` },
        body: withCaption(caption as string),
      })),
      post('agent reply: 4001 emoji (8002 units)', reply, alice, { body: '😀'.repeat(4001) }),
      post('agent close: note of 501 emoji (1002 units)', agentClose, alice, { note: '😀'.repeat(501) }),
      // An explicit locale must be a plausible BCP 47 tag.
      ...['garbage', 'e', 'en_US', '*', 'en-US;q=0.9', `en-${'x'.repeat(40)}`, 'x'.repeat(1000), ''].map(
        (locale) =>
          post(
            `session: locale ${JSON.stringify(locale.slice(0, 20))}`,
            '/api/session',
            { 'content-type': 'application/json' },
            { locale },
          ),
      ),
      {
        name: 'agent stats: since NUL',
        method: 'GET',
        path: '/api/agent/stats/today?since=%00',
        headers: alice,
      },
    ];

    const wrong: string[] = [];
    const before = await rowCounts();
    for (const request of cases) {
      const response = await fetch(`${app.url}${request.path}`, {
        method: request.method ?? 'POST',
        headers: request.headers,
        body: request.body,
      });
      const answer = (await response.json().catch(() => null)) as { error?: { code?: string } } | null;
      if (response.status !== 400 || answer?.error?.code !== 'validation_failed') {
        wrong.push(`${request.name} → ${response.status} ${answer?.error?.code}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(await rowCounts()).toEqual(before);
  });

  it('lengths count UTF-16 units: 2,100 emoji, 4,097 ASCII and exactly 8,000 units are accepted as sent', async () => {
    const bodies = [
      '😀'.repeat(2100),
      'x'.repeat(4097),
      'x'.repeat(8000),
      '👍🏽'.repeat(2000),
      '\u200bvisible between zero-width spaces\u200b',
      'tabs\tand\nnew lines',
    ];
    for (const body of bodies) {
      const visitor = await newVisitor(app.url);
      await visitor.say(body);
      expect((await visitor.messages('visitor')).map((m) => m.body)).toEqual([body]);
    }
  });

  it('Accept-Language that is not a plausible tag is ignored (locale null), never a failed request', async () => {
    const localeOf = async (headers: Record<string, string>, body: object = {}) => {
      const response = await fetch(`${app.url}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(201);
      const { session_id: id } = (await response.json()) as { session_id: string };
      const [row] = await app.orm.em
        .getConnection()
        .execute<{ locale: string | null }[]>('select locale from support_sessions where id = ?', [id]);
      return row?.locale;
    };
    expect(await localeOf({ 'accept-language': 'pt-br,en;q=0.8' })).toBe('pt-BR');
    expect(await localeOf({ 'accept-language': 'zh-hant-tw' })).toBe('zh-Hant-TW');
    expect(await localeOf({ 'accept-language': 'de-CH' }, { locale: 'fr-ca' })).toBe('fr-CA');
    expect(await localeOf({})).toBeNull();
    const garbage = [
      '*',
      'garbage-garbage-garbage',
      '!!!;q=abc,,,;',
      'en_US',
      'en;q=0',
      'caf\u00e9',
      // Large, though within Node's 16 KB for all of a request's headers.
      `en-${'a'.repeat(8000)}`,
      Array.from({ length: 700 }, (_, i) => `x${i};q=0.${i % 10}`).join(','),
    ];
    for (const header of garbage) expect(await localeOf({ 'accept-language': header })).toBeNull();
  });
});
