import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKind } from './support/database.ts';
import { httpClient } from './support/http.ts';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from './support/test-app.ts';

let app: TestApp;
let http: ReturnType<typeof httpClient>;

beforeAll(async () => {
  app = await startTestApp({
    RATE_LIMIT_MESSAGES: '5',
    RATE_LIMIT_SESSIONS: '1000',
    CATEGORIES: 'General,Billing',
  });
  http = httpClient(app.url);
});
afterAll(() => app?.close());

const key = new TextEncoder().encode(TEST_JWT_SECRET);
const jsonOf = async (response: Promise<Response>) => {
  const answer = await response;
  return { status: answer.status, body: await answer.json() };
};
const expectError = (response: { status: number; body: unknown }, status: number, code: string) => {
  expect(response.status).toBe(status);
  expect(response.body).toEqual({ error: { code, message: expect.any(String) } });
};

describe(`visitor API on ${databaseKind}`, () => {
  it('GET /healthz answers ok', async () => {
    const response = await http.get('/healthz');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok', database: 'ok' });
  });

  it('GET /api/config lists the categories (and the usual first-reply time: none yet)', async () => {
    expect((await http.get('/api/config')).body).toEqual({
      categories: ['General', 'Billing'],
      category_options: [
        { key: 'General', label: 'General', labels: {} },
        { key: 'Billing', label: 'Billing', labels: {} },
      ],
      typical_reply_seconds: null,
      edit_window_seconds: 900,
    });
  });

  describe('POST /api/session', () => {
    it('creates a session with a 30-day HS256 token', async () => {
      const response = await http.post('/api/session', {
        json: { locale: 'de-DE' },
        headers: { 'user-agent': 'vitest-agent', referer: 'https://shop.example/pricing' },
      });
      expect(response.status).toBe(201);
      expect(response.body.session_id).toMatch(/^[0-9a-f-]{36}$/);
      const [header, payload] = (response.body.access_token as string)
        .split('.')
        .slice(0, 2)
        .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
      expect(header.alg).toBe('HS256');
      expect(payload).toMatchObject({ session_id: response.body.session_id, role: 'visitor' });
      expect(payload.exp - payload.iat).toBe(30 * 24 * 3600);
      const rows = await app.orm.em
        .getConnection()
        .execute('select locale, user_agent, referer from support_sessions where id = ?', [
          response.body.session_id,
        ]);
      expect(rows[0]).toEqual({
        locale: 'de-DE',
        user_agent: 'vitest-agent',
        referer: 'https://shop.example/pricing',
      });
    });

    it('works without a body', async () => {
      expect((await http.post('/api/session')).status).toBe(201);
    });

    it('rejects unknown fields and malformed JSON, writing nothing', async () => {
      const before = await app.count('support_sessions');
      expectError(await http.post('/api/session', { json: { admin: true } }), 400, 'validation_failed');
      expectError(await http.post('/api/session', { rawBody: '{"locale":' }), 400, 'invalid_json');
      expect(await app.count('support_sessions')).toBe(before);
    });
  });

  describe('POST /api/session/:id/messages', () => {
    it('opens a ticket with the first message and adds later ones to it', async () => {
      const { sessionId, token } = await http.newSession();
      const first = await http.post(`/api/session/${sessionId}/messages`, {
        token,
        json: { body: 'My invoice is wrong', category: 'billing' },
      });
      expect(first.status).toBe(201);
      expect(first.body.ticket).toMatchObject({ status: 'open', category: 'Billing', agent_name: null });
      expect(first.body.message).toMatchObject({
        sender: 'visitor',
        body: 'My invoice is wrong',
        media_url: null,
      });

      const second = await http.post(`/api/session/${sessionId}/messages`, {
        token,
        json: { body: '  Order 42  ' },
      });
      expect(second.status).toBe(201);
      expect(second.body.ticket.id).toBe(first.body.ticket.id);
      expect(second.body.message.body).toBe('Order 42');
    });

    it('stores a send once per client id: a retry, sequential or concurrent, is answered with the stored message', async () => {
      const { sessionId, token } = await http.newSession();
      const send = (body: string, clientId: string) =>
        http.post(`/api/session/${sessionId}/messages`, { token, json: { body, client_id: clientId } });
      const clientId = crypto.randomUUID();
      const first = await send('Where is my order?', clientId);
      const retried = await send('Where is my order?', clientId.toUpperCase());
      expect(first.status).toBe(201);
      expect(retried.status).toBe(201);
      expect(retried.body).toEqual(first.body);
      expect(first.body.message.client_id).toBe(clientId);

      const concurrentId = crypto.randomUUID();
      const both = await Promise.all([send('Order 42', concurrentId), send('Order 42', concurrentId)]);
      expect(both.map((answer) => answer.status)).toEqual([201, 201]);
      expect(both[0]?.body.message).toEqual(both[1]?.body.message);
      expect(await app.count(`messages where session_id = '${sessionId}'`)).toBe(2);

      // The same id for another message is a client's mistake: refused, nothing stored.
      expectError(await send('Something else', clientId), 409, 'conflict');
      expectError(await send('Not a uuid', 'abc'), 400, 'validation_failed');
      expect(await app.count(`messages where session_id = '${sessionId}'`)).toBe(2);
    });

    it('answers a retried send with the stored message after the visitor edited it', async () => {
      const { sessionId, token } = await http.newSession();
      const send = (body: string, clientId: string) =>
        http.post(`/api/session/${sessionId}/messages`, { token, json: { body, client_id: clientId } });
      const clientId = crypto.randomUUID();
      const first = await send('Where is my order?', clientId);
      expect(first.status).toBe(201);
      // The first answer was lost; meanwhile the visitor edited the message; the retry still carries the
      // text first sent.
      const edited = await http.request(
        'PATCH',
        `/api/session/${sessionId}/messages/${first.body.message.id}`,
        {
          token,
          json: { body: 'Where is order 42?' },
        },
      );
      expect(edited.status).toBe(200);
      const retried = await send('Where is my order?', clientId);
      expect(retried.status).toBe(201);
      expect(retried.body.message).toMatchObject({ id: first.body.message.id, body: 'Where is order 42?' });
      expect(await app.count(`messages where session_id = '${sessionId}'`)).toBe(1);
    });

    it('refuses a retried send of a message deleted since (410): it stays deleted', async () => {
      const { sessionId, token } = await http.newSession();
      const send = (body: string, clientId: string) =>
        http.post(`/api/session/${sessionId}/messages`, { token, json: { body, client_id: clientId } });
      const clientId = crypto.randomUUID();
      const first = await send('My card number is …', clientId);
      expect(first.status).toBe(201);
      const deleted = await http.request(
        'DELETE',
        `/api/session/${sessionId}/messages/${first.body.message.id}`,
        { token },
      );
      expect(deleted.status).toBe(204);
      // A delayed copy of the first request, or a client retrying late.
      expectError(await send('My card number is …', clientId), 410, 'message_deleted');
      const conversation = await http.get(`/api/session/${sessionId}`, { token });
      expect(conversation.body.messages).toEqual([]);
      expect(await app.count(`messages where session_id = '${sessionId}'`)).toBe(1);
    });

    it('keeps markup as text', async () => {
      const { sessionId, token } = await http.newSession();
      const body = '<b>bold</b> *_[x](y) <script>alert(1)</script>';
      await http.post(`/api/session/${sessionId}/messages`, { token, json: { body } });
      const conversation = await http.get(`/api/session/${sessionId}`, { token });
      expect(conversation.body.messages[0].body).toBe(body);
    });

    it('rejects bad input with 4xx and writes nothing', async () => {
      const { sessionId, token } = await http.newSession();
      const path = `/api/session/${sessionId}/messages`;
      const before = [await app.count('messages'), await app.count('tickets')];
      expectError(await http.post(path, { token, json: { body: '' } }), 400, 'validation_failed');
      expectError(await http.post(path, { token, json: { body: '   ' } }), 400, 'validation_failed');
      expectError(
        await http.post(path, { token, json: { body: 'x'.repeat(8001) } }),
        400,
        'validation_failed',
      );
      expectError(await http.post(path, { token, json: { body: 42 } }), 400, 'validation_failed');
      expectError(await http.post(path, { token, json: {} }), 400, 'validation_failed');
      expectError(await http.post(path, { token, json: ['hello'] }), 400, 'validation_failed');
      expectError(
        await http.post(path, { token, json: { body: 'hi', category: 'Nope' } }),
        400,
        'validation_failed',
      );
      expectError(await http.post(path, { token, rawBody: '{"body": "hi"' }), 400, 'invalid_json');
      expectError(
        await http.post(path, { token, rawBody: 'body=hi', headers: { 'content-type': 'text/plain' } }),
        400,
        'validation_failed',
      );
      expectError(
        await http.post(path, { token, json: { body: 'x'.repeat(100_000) } }),
        413,
        'payload_too_large',
      );
      expect([await app.count('messages'), await app.count('tickets')]).toEqual(before);
    });

    it('counts the length as Telegram does (UTF-16 code units): 8000 accepted, 8001 refused', async () => {
      const { sessionId, token } = await http.newSession();
      const path = `/api/session/${sessionId}/messages`;
      // 4000 emoji are 8000 UTF-16 code units; one more unit is over the limit.
      expect((await http.post(path, { token, json: { body: '😀'.repeat(4000) } })).status).toBe(201);
      expectError(
        await http.post(path, { token, json: { body: `${'😀'.repeat(4000)}x` } }),
        400,
        'validation_failed',
      );
    });

    it('limits messages per session with 429 and Retry-After', async () => {
      const { sessionId, token } = await http.newSession();
      const other = await http.newSession();
      const path = `/api/session/${sessionId}/messages`;
      for (let i = 0; i < 5; i++)
        expect((await http.post(path, { token, json: { body: `m${i}` } })).status).toBe(201);
      const limited = await http.post(path, { token, json: { body: 'one too many' } });
      expectError(limited, 429, 'rate_limited');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(10);
      const conversation = await http.get(`/api/session/${sessionId}`, { token });
      expect(conversation.body.messages.map((m: { body: string }) => m.body)).toEqual([
        'm0',
        'm1',
        'm2',
        'm3',
        'm4',
      ]);
      // Another session is not affected.
      expect(
        (
          await http.post(`/api/session/${other.sessionId}/messages`, {
            token: other.token,
            json: { body: 'hi' },
          })
        ).status,
      ).toBe(201);
    });
  });

  describe('GET /api/session/:id', () => {
    it('returns the conversation, and with ?after only newer messages', async () => {
      const { sessionId, token } = await http.newSession();
      const empty = await http.get(`/api/session/${sessionId}`, { token });
      expect(empty.body).toEqual({
        session_id: sessionId,
        contact: null,
        ticket: null,
        tickets: [],
        messages: [],
        deleted_message_ids: [],
        revision: expect.any(Number),
      });

      const ids: number[] = [];
      for (const body of ['one', 'two', 'three']) {
        ids.push(
          (await http.post(`/api/session/${sessionId}/messages`, { token, json: { body } })).body.message.id,
        );
      }
      const all = await http.get(`/api/session/${sessionId}`, { token });
      expect(all.status).toBe(200);
      expect(all.body.ticket).toMatchObject({ status: 'open' });
      expect(all.body.tickets).toHaveLength(1);
      expect(all.body.messages.map((m: { body: string }) => m.body)).toEqual(['one', 'two', 'three']);

      const newer = await http.get(`/api/session/${sessionId}?after=${ids[0]}`, { token });
      expect(newer.body.messages.map((m: { id: number }) => m.id)).toEqual(ids.slice(1));
    });

    it('rejects a malformed ?after', async () => {
      const { sessionId, token } = await http.newSession();
      expectError(await http.get(`/api/session/${sessionId}?after=abc`, { token }), 400, 'validation_failed');
      expectError(await http.get(`/api/session/${sessionId}?after=-1`, { token }), 400, 'validation_failed');
      expectError(await http.get(`/api/session/${sessionId}?bogus=1`, { token }), 400, 'validation_failed');
    });

    it("answers 404 for another session's id, an unknown id or a malformed id", async () => {
      const mine = await http.newSession();
      const theirs = await http.newSession();
      await http.post(`/api/session/${theirs.sessionId}/messages`, {
        token: theirs.token,
        json: { body: 'private' },
      });
      for (const id of [theirs.sessionId, '00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
        expectError(await http.get(`/api/session/${id}`, { token: mine.token }), 404, 'not_found');
        expectError(await http.get(`/api/session/${id}/events`, { token: mine.token }), 404, 'not_found');
      }
      const before = await app.count('messages');
      expectError(
        await http.post(`/api/session/${theirs.sessionId}/messages`, {
          token: mine.token,
          json: { body: 'intrusion' },
        }),
        404,
        'not_found',
      );
      expect(await app.count('messages')).toBe(before);
    });

    it('answers 401 without a token or with a forged, expired, alg:none or wrong-role token', async () => {
      const { sessionId, token } = await http.newSession();
      const path = `/api/session/${sessionId}`;
      const now = Math.floor(Date.now() / 1000);
      const forged = await new SignJWT({ session_id: sessionId, role: 'visitor' })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode('another-secret-another-secret-another-secret'));
      const expired = await new SignJWT({ session_id: sessionId, role: 'visitor' })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuedAt(now - 3600)
        .setExpirationTime(now - 60)
        .sign(key);
      const wrongRole = await new SignJWT({ session_id: sessionId, role: 'agent' })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(key);
      const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const algNone = `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ session_id: sessionId, role: 'visitor', iat: now, exp: now + 3600 })}.`;
      const tampered = `${token.split('.')[0]}.${encode({ session_id: sessionId, role: 'visitor', iat: now, exp: now + 9e6 })}.${token.split('.')[2]}`;

      expectError(await http.get(path), 401, 'unauthorized');
      for (const bad of [forged, expired, wrongRole, algNone, tampered, 'garbage']) {
        expectError(await http.get(path, { token: bad }), 401, 'unauthorized');
      }
      expectError(
        await http.get(path, { headers: { authorization: `Basic ${token}` } }),
        401,
        'unauthorized',
      );
      expect((await http.get(path, { token })).status).toBe(200);
    });
  });

  describe('POST /api/tickets/:id/close', () => {
    it('closes the visitor’s ticket with a system message; the next message opens a new ticket', async () => {
      const { sessionId, token } = await http.newSession();
      const sent = await http.post(`/api/session/${sessionId}/messages`, { token, json: { body: 'hello' } });
      const ticketId = sent.body.ticket.id;
      const closed = await http.post(`/api/tickets/${ticketId}/close`, { token });
      expect(closed.status).toBe(200);
      expect(closed.body.ticket).toMatchObject({
        id: ticketId,
        status: 'closed',
        closed_at: expect.any(String),
      });

      const again = await http.post(`/api/tickets/${ticketId}/close`, { token });
      expect(again.status).toBe(200);

      const conversation = await http.get(`/api/session/${sessionId}`, { token });
      const system = conversation.body.messages.filter((m: { sender: string }) => m.sender === 'system');
      expect(system).toHaveLength(1);
      expect(system[0].body).toMatch(/closed/i);

      const next = await http.post(`/api/session/${sessionId}/messages`, {
        token,
        json: { body: 'one more thing' },
      });
      expect(next.body.ticket.id).not.toBe(ticketId);
      const after = await http.get(`/api/session/${sessionId}`, { token });
      expect(after.body.tickets.map((t: { status: string }) => t.status)).toEqual(['closed', 'open']);
      expect(after.body.ticket.id).toBe(next.body.ticket.id);
    });

    it('takes a 1–5 rating with an optional comment once the ticket is closed', async () => {
      const { sessionId, token } = await http.newSession();
      const sent = await http.post(`/api/session/${sessionId}/messages`, {
        token,
        json: { body: 'rate me' },
      });
      const path = `/api/tickets/${sent.body.ticket.id}/rating`;
      expectError(await http.post(path, { token, json: { rating: 5 } }), 409, 'conflict');
      await http.post(`/api/tickets/${sent.body.ticket.id}/close`, { token });
      for (const bad of [
        { rating: 0 },
        { rating: 6 },
        { rating: 4.5 },
        { rating: '5' },
        {},
        { rating: 3, extra: 1 },
      ]) {
        expectError(await http.post(path, { token, json: bad }), 400, 'validation_failed');
      }
      const other = await http.newSession();
      expectError(await http.post(path, { token: other.token, json: { rating: 1 } }), 404, 'not_found');
      const rated = await http.post(path, { token, json: { rating: 4, comment: ' Quick and kind ' } });
      expect(rated.status).toBe(200);
      expect(rated.body.ticket).toMatchObject({ status: 'closed', rating: 4 });
      const rows = await app.orm.em
        .getConnection()
        .execute('select rating, rating_comment from tickets where id = ?', [sent.body.ticket.id]);
      expect(rows[0]).toEqual({ rating: 4, rating_comment: 'Quick and kind' });
    });

    it("answers 404 for another visitor's ticket or an unknown one, and 401 without a token", async () => {
      const owner = await http.newSession();
      const stranger = await http.newSession();
      const sent = await http.post(`/api/session/${owner.sessionId}/messages`, {
        token: owner.token,
        json: { body: 'hi' },
      });
      const ticketId = sent.body.ticket.id;
      expectError(
        await http.post(`/api/tickets/${ticketId}/close`, { token: stranger.token }),
        404,
        'not_found',
      );
      expectError(await http.post('/api/tickets/99999999/close', { token: owner.token }), 404, 'not_found');
      expectError(await http.post('/api/tickets/abc/close', { token: owner.token }), 404, 'not_found');
      expectError(await http.post(`/api/tickets/${ticketId}/close`), 401, 'unauthorized');
      const conversation = await http.get(`/api/session/${owner.sessionId}`, { token: owner.token });
      expect(conversation.body.ticket.status).toBe('open');
    });
  });

  describe('attachments and contact details', () => {
    const upload = (
      sessionId: string,
      token: string,
      file?: Blob,
      name = 'file.png',
      extra: Record<string, string> = {},
    ) => {
      const form = new FormData();
      if (file) form.append('file', file, name);
      for (const [key, value] of Object.entries(extra)) form.append(key, value);
      return fetch(`${app.url}/api/session/${sessionId}/media`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: form,
      });
    };
    const png = new Blob([Buffer.from('89504e470d0a1a0a', 'hex')], { type: 'image/png' });

    it('stores an upload as a message whose media only its own session can fetch', async () => {
      const { sessionId, token } = await http.newSession();
      const response = await upload(sessionId, token, png, 'screenshot.png', { body: 'See this' });
      expect(response.status).toBe(201);
      const { message, ticket } = (await response.json()) as {
        message: { media_url: string; body: string };
        ticket: { status: string };
      };
      expect(message.body).toBe('See this');
      expect(ticket.status).toBe('open');
      expect(message.media_url).toMatch(new RegExp(`^/api/session/${sessionId}/media/[0-9a-f-]{36}\\.png$`));
      const own = await fetch(`${app.url}${message.media_url}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(own.status).toBe(200);
      expect(own.headers.get('content-type')).toBe('image/png');
      expect(Buffer.from(await own.arrayBuffer())).toEqual(Buffer.from('89504e470d0a1a0a', 'hex'));
      const other = await http.newSession();
      expect(
        (
          await fetch(`${app.url}${message.media_url}`, {
            headers: { authorization: `Bearer ${other.token}` },
          })
        ).status,
      ).toBe(404);
      expect((await fetch(`${app.url}${message.media_url}`)).status).toBe(401);
      const traversal = await fetch(`${app.url}/api/session/${sessionId}/media/..%2F..%2Fjwt-secret`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(traversal.status).toBe(404);
    });

    it('refuses a missing file, a wrong type, an oversized file or a non-multipart body, writing nothing', async () => {
      const { sessionId, token } = await http.newSession();
      const before = await app.count('messages');
      expectError(await jsonOf(upload(sessionId, token)), 400, 'validation_failed');
      expectError(
        await jsonOf(
          upload(sessionId, token, new Blob(['MZ'], { type: 'application/x-msdownload' }), 'x.exe'),
        ),
        400,
        'validation_failed',
      );
      // A real PNG's first bytes: the type is judged by content, so only the size can refuse this one.
      const huge = new Blob([Buffer.from('89504e470d0a1a0a', 'hex'), new Uint8Array(10 * 1024 * 1024 - 7)], {
        type: 'image/png',
      });
      expectError(await jsonOf(upload(sessionId, token, huge)), 413, 'payload_too_large');
      expectError(
        await http.post(`/api/session/${sessionId}/media`, { token, json: { file: 'nope' } }),
        400,
        'validation_failed',
      );
      expect(await app.count('messages')).toBe(before);
    });

    it('stores contact details; rejects bad ones', async () => {
      const { sessionId, token } = await http.newSession();
      const path = `/api/session/${sessionId}/contact`;
      expectError(await http.post(path, { token, json: {} }), 400, 'validation_failed');
      expectError(
        await http.post(path, { token, json: { email: 'not-an-email' } }),
        400,
        'validation_failed',
      );
      expectError(
        await http.post(path, { token, json: { phone: 'call me maybe' } }),
        400,
        'validation_failed',
      );
      expect(
        (await http.post(path, { token, json: { email: 'a@b.example', phone: '+49 30 1234567' } })).status,
      ).toBe(200);
      const rows = await app.orm.em
        .getConnection()
        .execute('select contact_email, contact_phone from support_sessions where id = ?', [sessionId]);
      expect(rows[0]).toEqual({ contact_email: 'a@b.example', contact_phone: '+49 30 1234567' });
      // The visitor sees what they left (the widget then shows it instead of the form).
      const conversation = await http.get(`/api/session/${sessionId}`, { token });
      expect(conversation.body.contact).toEqual({ email: 'a@b.example', phone: '+49 30 1234567' });
      const other = await http.newSession();
      expectError(
        await http.post(path, { token: other.token, json: { email: 'x@y.example' } }),
        404,
        'not_found',
      );
    });
  });

  describe('HTTP basics', () => {
    it('answers unknown routes and wrong methods with the JSON error shape', async () => {
      expectError(await http.get('/api/nope'), 404, 'not_found');
      expectError(await http.get('/api/session'), 405, 'method_not_allowed');
      expectError(await http.request('DELETE', '/api/tickets/1/close'), 405, 'method_not_allowed');
    });

    it('sends security headers and a request id', async () => {
      const response = await http.get('/healthz');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('x-request-id')).toMatch(/^[\w-]{8,}$/);
    });

    it('answers CORS preflights for the widget', async () => {
      const response = await fetch(`${app.url}/api/session`, {
        method: 'OPTIONS',
        headers: {
          origin: 'https://shop.example',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      });
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      expect(response.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    });
  });
});
