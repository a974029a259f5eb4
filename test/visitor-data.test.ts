import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EraseResponse } from '../contract/agent-api.ts';
import type { VisitorExport } from '../core/visitor-data.service.ts';
import { type FakeTelegram, startFakeTelegram } from './fake-telegram/index.ts';
import { databaseKind } from './support/database.ts';
import { httpClient } from './support/http.ts';
import { signInitData, tma } from './support/init-data.ts';
import { pngBytes } from './support/media-files.ts';
import { storedMediaOf } from './support/stored-media.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { eventually, newVisitor, type Visitor } from './support/visitor.ts';

const GROUP = -1001234567890;
const ALICE = { id: 6001, first_name: 'Alice', username: 'alice' };
const BOB = { id: 6002, first_name: 'Bob', username: 'bob' };
const EVE = { id: 6003, first_name: 'Eve', username: 'eve' };
const ADMIN_TOKEN = 'admin-token-admin-token-0123';
const TIMEOUT = { timeoutMs: 20_000 };

type Sent = { message_id: number; text?: string; reply_markup?: unknown };

/**
 * Issue 11 §5: a visitor's right to their data. Agents (Mini App) and the operator (admin API) export a
 * visitor's conversations and erase them completely; the group's card says "erased".
 */
describe(`export and erase a visitor (${databaseKind})`, () => {
  let fake: FakeTelegram;
  let app: TestApp;
  let http: ReturnType<typeof httpClient>;

  const as = (user: typeof ALICE) => tma(signInitData(fake.token, user));
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
  const cardOf = (ticketId: number) =>
    fake.messages(GROUP).find((m: Sent) => m.text?.includes(`#${ticketId}`) && !m.text.startsWith('⏰')) as
      | Sent
      | undefined;
  const sql = <T>(query: string, params: unknown[] = []) =>
    app.orm.em.getConnection().execute<T[]>(query, params);

  /** Rows anywhere in the schema that still point at the session or its tickets. */
  const rowsLeft = async (sessionId: string, ticketIds: number[]) => {
    const columns = await sql<{ table_name: string; column_name: string }>(
      `select table_name, column_name from information_schema.columns
        where table_schema = 'public' and column_name in ('session_id', 'ticket_id', 'active_ticket_id')`,
    );
    const left: Record<string, number> = {};
    left.support_sessions = (
      await sql<{ n: number }>(`select count(*)::int as n from support_sessions where id = ?`, [sessionId])
    )[0]?.n as number;
    left.tickets = (
      await sql<{ n: number }>(`select count(*)::int as n from tickets where id in (?)`, [ticketIds])
    )[0]?.n as number;
    for (const { table_name, column_name } of columns) {
      const [row] =
        column_name === 'session_id'
          ? await sql<{ n: number }>(
              `select count(*)::int as n from "${table_name}" where ${column_name} = ?`,
              [sessionId],
            )
          : await sql<{ n: number }>(
              `select count(*)::int as n from "${table_name}" where ${column_name} in (?)`,
              [ticketIds],
            );
      left[`${table_name}.${column_name}`] = row?.n as number;
    }
    return left;
  };

  const upload = async (visitor: Visitor, caption: string) => {
    const form = new FormData();
    form.append('file', new Blob([pngBytes(2048)], { type: 'image/png' }), 'receipt.png');
    form.append('body', caption);
    const response = await fetch(`${app.url}/api/session/${visitor.sessionId}/media`, {
      method: 'POST',
      headers: { authorization: `Bearer ${visitor.token}` },
      body: form,
    });
    expect(response.status).toBe(201);
  };

  /**
   * A visitor with two conversations: a closed one, and an open one with a file, contact details, a
   * pass by Bob, Alice's claim and reply. Both tickets have a card in the group.
   */
  const busyVisitor = async () => {
    const visitor = await newVisitor(app.url, { locale: 'en-GB', referer: 'https://shop.example/cart' });
    const first = (await visitor.say('First question', 'Billing')).ticket.id;
    await fake.waitFor(() => cardOf(first), TIMEOUT);
    expect((await http.post(`/api/tickets/${first}/close`, { token: visitor.token })).status).toBe(200);
    const second = (await visitor.say('My invoice <b>is</b> wrong', 'Billing')).ticket.id;
    await fake.waitFor(() => cardOf(second), TIMEOUT);
    await upload(visitor, 'the receipt');
    expect(
      (
        await http.post(`/api/session/${visitor.sessionId}/contact`, {
          token: visitor.token,
          json: { email: 'visitor@example.com' },
        })
      ).status,
    ).toBe(200);
    expect((await http.post(`/api/agent/tickets/${second}/pass`, { headers: as(BOB) })).status).toBe(200);
    expect((await http.post(`/api/agent/tickets/${second}/claim`, { headers: as(ALICE) })).status).toBe(200);
    const reply = await http.post(`/api/agent/tickets/${second}/messages`, {
      headers: as(ALICE),
      json: { body: 'Let me check that for you' },
    });
    expect(reply.status).toBe(201);
    await visitor.say('Thanks!\nSecond line');
    return { visitor, tickets: [first, second] };
  };

  beforeAll(async () => {
    fake = await startFakeTelegram();
    fake.addGroup({ id: GROUP, title: 'Support team' });
    for (const user of [ALICE, BOB, EVE]) fake.addUser(user);
    fake.setChatMember(GROUP, ALICE.id, 'administrator');
    fake.setChatMember(GROUP, BOB.id, 'member');
    app = await startTestApp({
      TELEGRAM_BOT_TOKEN: fake.token,
      TELEGRAM_API_ROOT: fake.apiRoot,
      SUPPORT_GROUP_CHAT_ID: String(GROUP),
      RATE_LIMIT_MESSAGES: '100',
      TELEGRAM_THROTTLE: 'false',
      ADMIN_TOKEN,
    });
    http = httpClient(app.url);
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await fake?.close();
  });

  it('an agent exports every message of the visitor, as JSON and as a readable transcript', async () => {
    const { visitor, tickets } = await busyVisitor();
    const [, second] = tickets as [number, number];
    const conversation = await visitor.messages();

    const json = await http.get(`/api/agent/tickets/${second}/export`, { headers: as(BOB) });
    expect(json.status).toBe(200);
    expect(json.headers.get('content-disposition')).toMatch(/^attachment; filename="conversation-.*\.json"$/);
    expect(json.headers.get('cache-control')).toBe('no-store');
    const data = json.body as VisitorExport;
    expect(data.session).toMatchObject({
      id: visitor.sessionId,
      locale: 'en-GB',
      referrer: 'https://shop.example/cart',
      contact: { email: 'visitor@example.com', phone: null },
    });
    expect(data.tickets.map((ticket) => ticket.id)).toEqual(tickets);
    expect(data.tickets[1]).toMatchObject({ status: 'claimed', category: 'Billing', agent_name: 'Alice' });
    // Every message the visitor sees, in order, nothing else.
    const exported = data.tickets.flatMap((ticket) => ticket.messages);
    expect(exported.map((m) => [m.id, m.sender, m.body])).toEqual(
      conversation.map((m) => [m.id, m.sender, m.body]),
    );
    expect(exported.find((m) => m.body === 'the receipt')?.attachment).toMatch(/\.png$/);
    // System messages say what happened as a code with parameters, besides their English wording.
    expect(exported.filter((m) => m.sender === 'system').map((m) => [m.event, m.body])).toEqual([
      [{ code: 'closed_by_visitor', params: {} }, 'Conversation closed by the visitor'],
      [{ code: 'agent_joined', params: { agent_name: 'Alice' } }, 'Alice joined the conversation'],
    ]);
    expect(exported.filter((m) => m.sender !== 'system').every((m) => m.event === null)).toBe(true);

    const text = await http.get(`/api/agent/tickets/${second}/export?format=text`, { headers: as(ALICE) });
    expect(text.status).toBe(200);
    expect(text.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    const transcript = text.body as string;
    for (const message of conversation) expect(transcript).toContain(message.body.split('\n')[0]);
    expect(transcript).toContain('Visitor: My invoice <b>is</b> wrong');
    expect(transcript).toContain('Alice: Let me check that for you');
    expect(transcript).toContain('    Second line');
    expect(transcript).toMatch(/Conversation #\d+ · Billing — opened .* UTC, closed .* UTC/);
    expect(transcript).toContain('visitor@example.com');

    expect(
      (await http.get(`/api/agent/tickets/${second}/export?format=pdf`, { headers: as(ALICE) })).status,
    ).toBe(400);
  });

  it('an agent erases the visitor: no rows anywhere, no files, the cards say erased, Telegram copies stay', async () => {
    const { visitor, tickets } = await busyVisitor();
    const [first, second] = tickets as [number, number];
    expect(await storedMediaOf(app, visitor.sessionId)).not.toEqual([]);
    const dmsBefore = fake.sentTo(ALICE.id).length;
    const agentRows = await app.count('agents');

    const erased = await http.post(`/api/agent/tickets/${second}/erase`, { headers: as(BOB) });
    expect(erased.status).toBe(200);
    expect(erased.body).toEqual({
      erased: { session_id: visitor.sessionId, tickets, messages: expect.any(Number) },
    } satisfies EraseResponse);
    expect(erased.body.erased.messages).toBeGreaterThanOrEqual(6);

    expect(Object.values(await rowsLeft(visitor.sessionId, tickets)).every((n) => n === 0)).toBe(true);
    expect(await rowsLeft(visitor.sessionId, tickets)).toMatchObject({
      support_sessions: 0,
      tickets: 0,
      'messages.session_id': 0,
      'messages.ticket_id': 0,
      'passes.ticket_id': 0,
      'agents.active_ticket_id': 0,
    });
    expect(await app.count('agents')).toBe(agentRows);
    expect(await storedMediaOf(app, visitor.sessionId)).toEqual([]);
    expect(existsSync(join(app.dataDir, 'media', visitor.sessionId))).toBe(false);

    // Both cards are rewritten, without buttons; nothing else of theirs is kept.
    for (const ticketId of [first, second]) {
      const card = await fake.waitFor(() => {
        const current = cardOf(ticketId);
        return current?.text?.includes('erased') ? current : undefined;
      }, TIMEOUT);
      expect(card.text).toBe(
        `🗑 #${ticketId} · Billing — erased\nThe visitor’s conversation was erased at their request.`,
      );
      expect(card.text).not.toContain('invoice');
      expect(JSON.stringify(card.reply_markup ?? {})).not.toContain('claim');
    }
    // The agent's DMs are left as they were.
    expect(fake.sentTo(ALICE.id).length).toBeGreaterThanOrEqual(dmsBefore);
    // Deliveries still queued for the erased tickets are dropped, not retried for hours (the after-hours
    // timers are dropped likewise when they come due).
    await eventually(async () => {
      const [row] = await sql<{ n: number }>(
        `select count(*)::int as n from pgboss.job where name = 'telegram-outbound'
           and state in ('created', 'retry', 'active') and (data->>'ticketId')::int in (?)`,
        [tickets],
      );
      return row?.n === 0;
    }, 20_000);

    // The visitor's token opens nothing any more; erasing again finds nothing.
    expect((await http.get(`/api/session/${visitor.sessionId}`, { token: visitor.token })).status).toBe(404);
    expect((await http.post(`/api/agent/tickets/${second}/erase`, { headers: as(ALICE) })).status).toBe(404);
  });

  it('the operator exports and erases a session with ADMIN_TOKEN, finding it by a card’s ticket number', async () => {
    const { visitor, tickets } = await busyVisitor();
    const lookup = await http.get(`/api/admin/tickets/${tickets[1]}`, { headers: admin });
    expect(lookup.body).toEqual({ ticket_id: tickets[1], session_id: visitor.sessionId });

    const json = await http.get(`/api/admin/sessions/${visitor.sessionId}/export`, { headers: admin });
    expect(json.status).toBe(200);
    expect((json.body as VisitorExport).tickets.flatMap((t) => t.messages.map((m) => m.id))).toEqual(
      (await visitor.messages()).map((m) => m.id),
    );
    const text = await http.get(`/api/admin/sessions/${visitor.sessionId}/export?format=text`, {
      headers: admin,
    });
    expect(text.body).toContain('Visitor: First question');

    const erased = await http.request('DELETE', `/api/admin/sessions/${visitor.sessionId}`, {
      headers: admin,
    });
    expect(erased.status).toBe(200);
    expect(erased.body.erased).toMatchObject({ session_id: visitor.sessionId, tickets });
    expect(Object.values(await rowsLeft(visitor.sessionId, tickets)).every((n) => n === 0)).toBe(true);
    expect(await storedMediaOf(app, visitor.sessionId)).toEqual([]);
    await fake.waitFor(() => cardOf(tickets[1] as number)?.text?.includes('erased'), TIMEOUT);
    expect(
      (await http.request('DELETE', `/api/admin/sessions/${visitor.sessionId}`, { headers: admin })).status,
    ).toBe(404);
  });

  it('a visitor token, a non-member or a wrong admin token can neither export nor erase', async () => {
    const visitor = await newVisitor(app.url);
    const ticketId = (await visitor.say('Please keep my data')).ticket.id;
    const bearer = { authorization: `Bearer ${visitor.token}` };

    for (const headers of [bearer, as(EVE), {}]) {
      expect([401, 403]).toContain(
        (await http.get(`/api/agent/tickets/${ticketId}/export`, { headers })).status,
      );
      expect([401, 403]).toContain(
        (await http.post(`/api/agent/tickets/${ticketId}/erase`, { headers })).status,
      );
    }
    expect((await http.post(`/api/agent/tickets/${ticketId}/erase`, { headers: as(EVE) })).status).toBe(403);
    for (const headers of [bearer, as(ALICE), { authorization: 'Bearer wrong-admin-token-000000' }, {}]) {
      expect((await http.get(`/api/admin/sessions/${visitor.sessionId}/export`, { headers })).status).toBe(
        401,
      );
      expect(
        (await http.request('DELETE', `/api/admin/sessions/${visitor.sessionId}`, { headers })).status,
      ).toBe(401);
    }
    // Nothing was erased.
    expect((await visitor.messages()).map((m) => m.body)).toEqual(['Please keep my data']);
  });
});
