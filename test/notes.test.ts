import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderConnected } from '../bot/render/agent-messages.ts';
import { databaseKind } from './support/database.ts';
import { signInitData } from './support/init-data.ts';
import { openSse } from './support/sse.ts';
import { ALICE, BOB, GROUP, textOf, WAIT } from './support/telegram-desk.ts';
import { type ThreadMode, threadDesk } from './support/thread-desk.ts';
import { eventually } from './support/visitor.ts';

const EVE = { id: 4003, first_name: 'Eve', username: 'eve' };
const ADMIN_TOKEN = 'admin-token-admin-token-0123';
const SECRET_NOTE = 'Internal: suspected fraud, do not refund';

/** A desk in one mode, with Eve outside the support group and an admin token for the data routes. */
const noteDesk = (mode: ThreadMode) => threadDesk(mode, { env: { ADMIN_TOKEN }, strangers: [EVE] });

describe.each(['private-topics', 'group-topics', 'single'] as const)(
  `internal notes (%s, ${databaseKind})`,
  (mode) => {
    const desk = noteDesk(mode);
    const { d } = desk;
    beforeAll(desk.start, 60_000);
    afterAll(desk.stop);

    it('/note in the ticket’s thread stores a note for agents, confirmed in the thread; once, also when redelivered', async () => {
      const ticket = await desk.newTicket('My order never arrived');
      await desk.claim(ALICE, ticket);
      const place = await desk.placeOf(ALICE, ticket.ticketId);
      await desk.botSaysIn(place, mode === 'group-topics' ? /is answering/ : /connected to/);

      const sent = d.fake.sendText({
        from: ALICE.id,
        chatId: place.chatId,
        threadId: place.threadId,
        text: `/note ${SECRET_NOTE}`,
      });
      const confirmation = await desk.botSaysIn(place, /Note added to #\d+/);
      expect(textOf(confirmation)).toBe(
        `📝 Note added to #${ticket.ticketId} by Alice — only agents see it, never the visitor.`,
      );
      d.fake.redeliver(sent.update_id);
      const notes = await eventually(async () => {
        const response = await desk.api(BOB, 'GET', `/api/agent/tickets/${ticket.ticketId}/notes`);
        return response.status === 200 && response.body.notes.length > 0 && response.body.notes;
      });
      expect(notes).toEqual([
        {
          id: expect.any(Number),
          ticket_id: ticket.ticketId,
          author_name: 'Alice',
          mine: false,
          body: SECRET_NOTE,
          created_at: expect.any(String),
        },
      ]);
      // `/note` alone is answered with how to use it; Alice's updates are handled in order, so once it is
      // answered the redelivered one was handled too: still one note, and the visitor got nothing.
      d.fake.sendText({ from: ALICE.id, chatId: place.chatId, threadId: place.threadId, text: '/note' });
      await desk.botSaysIn(place, /Write the note after the command/);
      expect(await d.app.count('ticket_notes')).toBe(1);
      const seen = (await ticket.visitor.messages()).filter((m) => m.sender !== 'system').map((m) => m.body);
      expect(seen).toEqual(['My order never arrived']);
    });
  },
);

describe(`internal notes never reach the visitor (${databaseKind})`, () => {
  const desk = noteDesk('private-topics');
  const { d } = desk;
  beforeAll(desk.start, 60_000);
  afterAll(desk.stop);

  it('the Mini App adds and lists notes; bad input is a clear 400, strangers 403, unknown tickets 404', async () => {
    const ticket = await desk.newTicket('Hello, anyone?');
    const added = await desk.api(BOB, 'POST', `/api/agent/tickets/${ticket.ticketId}/notes`, {
      body: '  VIP customer  ',
    });
    expect(added.status).toBe(201);
    expect(added.body.note).toMatchObject({ author_name: 'Bob', mine: true, body: 'VIP customer' });
    const asAlice = await desk.api(ALICE, 'GET', `/api/agent/tickets/${ticket.ticketId}/notes`);
    expect(asAlice.body.notes).toEqual([expect.objectContaining({ body: 'VIP customer', mine: false })]);

    const before = await d.app.count('ticket_notes');
    for (const [json, message] of [
      [{ body: '   ' }, /^body: must not be empty/],
      [{ body: 'x'.repeat(4097) }, /^body: must be at most 4096 characters/],
      [{ body: 'a\u0007b' }, /^body: must not contain control characters/],
      [{}, /^body/],
      [{ body: 'x', pinned: true }, /pinned|Unrecognized/i],
    ] as const) {
      const response = await desk.api(ALICE, 'POST', `/api/agent/tickets/${ticket.ticketId}/notes`, json);
      expect(response.status, JSON.stringify(json)).toBe(400);
      expect(response.body.error).toEqual({
        code: 'validation_failed',
        message: expect.stringMatching(message),
      });
    }
    expect((await desk.api(ALICE, 'POST', '/api/agent/tickets/999999/notes', { body: 'x' })).status).toBe(
      404,
    );
    expect((await desk.api(ALICE, 'GET', '/api/agent/tickets/abc/notes')).status).toBe(404);
    expect((await desk.api(EVE, 'GET', `/api/agent/tickets/${ticket.ticketId}/notes`)).status).toBe(403);
    expect(
      (await desk.api(EVE, 'POST', `/api/agent/tickets/${ticket.ticketId}/notes`, { body: 'x' })).status,
    ).toBe(403);
    expect((await d.http.get(`/api/agent/tickets/${ticket.ticketId}/notes`)).status).toBe(401);
    // The visitor's token is no way in either.
    const withVisitorToken = await d.http.get(`/api/agent/tickets/${ticket.ticketId}/notes`, {
      token: ticket.visitor.token,
    });
    expect(withVisitorToken.status).toBe(401);
    expect(await d.app.count('ticket_notes')).toBe(before);
  });

  it('the new owner gets the notes in the “connected” history, marked as notes; the visitor sees none of it anywhere', async () => {
    const ticket = await desk.newTicket('Can I get my money back?');
    const { visitor } = ticket;
    const stream = await openSse(`${d.app.url}/api/session/${visitor.sessionId}/events`, {
      authorization: `Bearer ${visitor.token}`,
    });
    const firstId = (await visitor.messages())[0]?.id as number;
    // Bob notes it while it waits; Alice claims it.
    await desk.api(BOB, 'POST', `/api/agent/tickets/${ticket.ticketId}/notes`, { body: SECRET_NOTE });
    await desk.claim(ALICE, ticket);
    const place = await desk.placeOf(ALICE, ticket.ticketId);
    const connected = await desk.botSaysIn(place, /connected to/);
    expect(textOf(connected)).toContain(`📝 Note · Bob: ${SECRET_NOTE}`);
    expect(textOf(connected).indexOf('Can I get my money back?')).toBeLessThan(
      textOf(connected).indexOf('📝 Note'),
    );
    expect(connected.entities?.some((e) => e.type === 'italic')).toBe(true);

    // Alice notes and answers in the topic; only the answer goes to the visitor. The team's open Mini Apps
    // hear that the ticket changed (and refetch its notes); the event carries no note.
    const team = await openSse(`${d.app.url}/api/agent/events`, {
      authorization: `tma ${signInitData(d.fake.token, BOB)}`,
    });
    d.fake.sendText({
      from: ALICE.id,
      chatId: place.chatId,
      threadId: place.threadId,
      text: `/note ${SECRET_NOTE} (2)`,
    });
    await desk.botSaysIn(place, /Note added/);
    await team.waitFor(
      (events) =>
        events.some((e) => e.event === 'ticket' && (e.data as { id: number }).id === ticket.ticketId),
      15_000,
    );
    expect(JSON.stringify(team.events)).not.toContain(SECRET_NOTE);
    await team.close();
    d.fake.sendText({
      from: ALICE.id,
      chatId: place.chatId,
      threadId: place.threadId,
      text: 'We are on it.',
    });
    await eventually(async () => (await visitor.messages('agent')).length === 1);
    await stream.waitFor((events) =>
      events.some((e) => e.event === 'message' && (e.data as { body: string }).body === 'We are on it.'),
    );

    const secret = /fraud|Note added|📝/;
    const conversation = await visitor.conversation();
    expect(JSON.stringify(conversation)).not.toMatch(secret);
    const after = await visitor.http.get(`/api/session/${visitor.sessionId}?after=${firstId}`, {
      token: visitor.token,
    });
    expect(after.status).toBe(200);
    expect(
      after.body.messages
        .filter((m: { sender: string }) => m.sender !== 'system')
        .map((m: { body: string }) => m.body),
    ).toEqual(['We are on it.']);
    expect(JSON.stringify(after.body)).not.toMatch(secret);
    expect(JSON.stringify(stream.events)).not.toMatch(secret);
    await stream.close();

    const transcript = await visitor.http.get(`/api/session/${visitor.sessionId}/transcript`, {
      token: visitor.token,
    });
    expect(transcript.status).toBe(200);
    expect(String(transcript.body)).toContain('We are on it.');
    expect(String(transcript.body)).not.toMatch(secret);
    for (const format of ['json', 'text']) {
      const exported = await d.http.get(`/api/admin/sessions/${visitor.sessionId}/export?format=${format}`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      expect(exported.status).toBe(200);
      expect(JSON.stringify(exported.body)).toContain('We are on it.');
      expect(JSON.stringify(exported.body)).not.toMatch(secret);
      const agentExport = await desk.api(
        ALICE,
        'GET',
        `/api/agent/tickets/${ticket.ticketId}/export?format=${format}`,
      );
      expect(agentExport.status).toBe(200);
      expect(JSON.stringify(agentExport.body)).not.toMatch(secret);
    }
    // Notes live in their own table: no message row holds them.
    const rows = await d.app.orm.em
      .getConnection()
      .execute<{ count: number }[]>(`select count(*)::int as count from messages where body like '%fraud%'`);
    expect(Number(rows[0]?.count)).toBe(0);
  });
});

describe(`a transfer hands the notes on (${databaseKind})`, () => {
  const desk = noteDesk('private-topics');
  const { d } = desk;
  beforeAll(desk.start, 60_000);
  afterAll(desk.stop);

  it('Bob, given Alice’s ticket from the Mini App, gets her notes in his “connected” history', async () => {
    const ticket = await desk.newTicket('Password reset does not work');
    await desk.claim(ALICE, ticket);
    const alicePlace = await desk.placeOf(ALICE, ticket.ticketId);
    // Alice writes once the ticket is in her topic: the topic exists a moment before the bot links it
    // to the ticket (the link is stored once Telegram answers; a person cannot type that fast).
    await desk.botSaysIn(alicePlace, /connected to/);
    d.fake.sendText({
      from: ALICE.id,
      chatId: alicePlace.chatId,
      threadId: alicePlace.threadId,
      text: '/note Tried a reset link twice; the mail server bounces',
    });
    await desk.botSaysIn(alicePlace, /Note added/);
    const bob = (await desk.api(BOB, 'GET', '/api/agent/me')).body.agent;
    const moved = await desk.api(ALICE, 'POST', `/api/agent/tickets/${ticket.ticketId}/transfer`, {
      to: bob.id,
    });
    expect(moved.status).toBe(200);
    const bobPlace = await desk.placeOf(BOB, ticket.ticketId);
    const connected = await desk.botSaysIn(bobPlace, /connected to/);
    expect(textOf(connected)).toContain('📝 Note · Alice: Tried a reset link twice; the mail server bounces');
    expect(JSON.stringify(await ticket.visitor.conversation())).not.toContain('bounces');
  });
});

describe('the “connected” history with notes', () => {
  const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 12, minute));
  const message = (id: number, body: string, minute: number) =>
    ({ id, sender: 'visitor', body, mediaUrl: null, agent: null, createdAt: at(minute) }) as never;

  it('puts each note where it was written, marked and escaped; a long note is split, never cut', () => {
    const parts = renderConnected(
      { id: 7, category: null },
      [message(1, 'first', 0), message(2, 'second', 10)],
      {
        notes: [
          { authorName: 'Bob <b>', body: 'check <script> & refund', createdAt: at(5) },
          { authorName: 'Eve', body: 'word '.repeat(1500).trim(), createdAt: at(20) },
        ],
      },
    );
    const all = parts.join('\n');
    expect(all.indexOf('first')).toBeLessThan(all.indexOf('📝'));
    expect(
      all.indexOf('📝 <b>Note · Bob &lt;b&gt;:</b> <i>check &lt;script&gt; &amp; refund</i>'),
    ).toBeLessThan(all.indexOf('second'));
    expect(all).toContain('📝 <b>Note · Eve:</b>');
    expect((all.match(/word/g) ?? []).length).toBe(1500);
    for (const part of parts) expect(part.length).toBeLessThan(4096 * 1.2);
  });
});

describe(`group topics: the team’s 🙈 messages are notes (${databaseKind})`, () => {
  const desk = noteDesk('group-topics');
  const { d } = desk;
  beforeAll(desk.start, 60_000);
  afterAll(desk.stop);

  it('a team member’s message in a claimed ticket’s topic is kept as a note (once), not sent on', async () => {
    const ticket = await desk.newTicket('Help with setup');
    await desk.claim(ALICE, ticket);
    const place = await desk.placeOf(ALICE, ticket.ticketId);
    const sent = d.fake.sendText({
      from: BOB.id,
      chatId: GROUP,
      threadId: place.threadId,
      text: 'Careful, this one is tricky',
    });
    await d.fake.waitFor(() => d.fake.botReactions(GROUP, sent.message?.message_id ?? 0).length > 0, WAIT);
    d.fake.redeliver(sent.update_id);
    const notes = await eventually(async () => {
      const response = await desk.api(ALICE, 'GET', `/api/agent/tickets/${ticket.ticketId}/notes`);
      return response.body.notes?.length > 0 && response.body.notes;
    });
    expect(notes.map((n: { author_name: string; body: string }) => [n.author_name, n.body])).toEqual([
      ['Bob', 'Careful, this one is tricky'],
    ]);
    expect(await ticket.visitor.messages('agent')).toEqual([]);
  });
});
