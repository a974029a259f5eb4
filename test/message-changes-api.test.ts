import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKind } from './support/database.ts';
import { openSse } from './support/sse.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { eventually, newVisitor, type Visitor } from './support/visitor.ts';

/**
 * The visitor's edits, deletes, reactions and typing over HTTP, without a bot: every bad input is a clear
 * 4xx in the one error shape, and changes nothing.
 */
describe(`message changes API (${databaseKind})`, () => {
  let app: TestApp;

  const path = (visitor: Visitor, messageId: number | string, tail = '') =>
    `/api/session/${visitor.sessionId}/messages/${messageId}${tail}`;
  const patch = (visitor: Visitor, messageId: number | string, json: unknown) =>
    visitor.http.request('PATCH', path(visitor, messageId), { token: visitor.token, json });
  const remove = (visitor: Visitor, messageId: number | string) =>
    visitor.http.request('DELETE', path(visitor, messageId), { token: visitor.token });
  const react = (visitor: Visitor, messageId: number | string, json: unknown) =>
    visitor.http.request('PUT', path(visitor, messageId, '/reaction'), { token: visitor.token, json });
  const bodyOf = async (messageId: number) => {
    const rows = await app.orm.em
      .getConnection()
      .execute<
        { body: string; edited_at: Date | null; deleted_at: Date | null; visitor_reaction: string | null }[]
      >('select body, edited_at, deleted_at, visitor_reaction from messages where id = ?', [messageId]);
    return rows[0];
  };

  /** A conversation with one visitor message and one agent reply (stored as the Mini App would). */
  const conversation = async (text = 'Hello there') => {
    const visitor = await newVisitor(app.url);
    const sent = await visitor.say(text);
    const reply = await app.inContext(async () => {
      const agent = await app.services.agents.upsert({ tgChatId: 9000 + sent.ticket.id, name: 'Alice' });
      await app.services.tickets.claim(sent.ticket.id, agent.id);
      return app.services.messages.sendAgentMessage({
        ticketId: sent.ticket.id,
        agentId: agent.id,
        body: 'Hi!',
      });
    });
    return {
      visitor,
      ticketId: sent.ticket.id,
      messageId: sent.message.id,
      agentMessageId: reply.message.id,
    };
  };

  beforeAll(async () => {
    app = await startTestApp({ RATE_LIMIT_MESSAGES: '200', MESSAGE_EDIT_WINDOW_MINUTES: '15' });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it('GET /api/config tells the edit window', async () => {
    const response = await (await newVisitor(app.url)).http.get('/api/config');
    expect(response.body.edit_window_seconds).toBe(900);
  });

  it('edits a message: stored, marked edited, live as message.updated, shown by GET', async () => {
    const { visitor, messageId } = await conversation('teh typo');
    const stream = await openSse(`${app.url}/api/session/${visitor.sessionId}/events`, {
      authorization: `Bearer ${visitor.token}`,
    });
    try {
      const response = await patch(visitor, messageId, { body: '  the typo  ' });
      expect(response.status).toBe(200);
      expect(response.body.message).toMatchObject({
        id: messageId,
        body: 'the typo',
        edited_at: expect.any(String),
        reactions: [],
      });
      await stream.waitFor((events) =>
        events.some((e) => e.event === 'message.updated' && (e.data as { body: string }).body === 'the typo'),
      );
      const shown = (await visitor.messages('visitor')).find((m) => m.id === messageId);
      expect(shown).toMatchObject({ body: 'the typo', edited_at: expect.any(String) });
    } finally {
      await stream.close();
    }
  });

  it('refuses edits it must not make, each with a clear 4xx, changing nothing', async () => {
    const { visitor, messageId, agentMessageId } = await conversation('original text');
    const other = await conversation('another visitor');

    // Another session's message: not found (as another session is).
    const foreign = await patch(visitor, other.messageId, { body: 'hijack' });
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual({ error: { code: 'not_found', message: 'Message not found' } });
    // The agent's message in one's own conversation: not theirs to edit.
    expect((await patch(visitor, agentMessageId, { body: 'hijack' })).status).toBe(403);
    // Unknown or malformed ids.
    expect((await patch(visitor, 999_999, { body: 'x' })).status).toBe(404);
    expect((await patch(visitor, 'abc', { body: 'x' })).status).toBe(404);
    // Bad bodies: the same validation as sending.
    for (const json of [
      { body: '   ' },
      { body: 'a\u0000b' },
      { body: 'x'.repeat(8001) },
      {},
      { body: 'x', extra: 1 },
    ]) {
      const response = await patch(visitor, messageId, json);
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('validation_failed');
    }
    // Outside the edit window.
    await app.orm.em
      .getConnection()
      .execute(`update messages set created_at = now() - interval '16 minutes' where id = ?`, [messageId]);
    const late = await patch(visitor, messageId, { body: 'too late' });
    expect(late.status).toBe(409);
    expect(late.body.error).toEqual({
      code: 'edit_window_expired',
      message: 'Messages can be edited or deleted only within 15 minutes of sending',
    });
    expect((await remove(visitor, messageId)).status).toBe(409);

    expect(await bodyOf(messageId)).toMatchObject({
      body: 'original text',
      edited_at: null,
      deleted_at: null,
    });
    expect(await bodyOf(other.messageId)).toMatchObject({ body: 'another visitor', edited_at: null });
  });

  it('refuses changes on a closed ticket', async () => {
    const { visitor, ticketId, messageId } = await conversation('closing soon');
    expect((await visitor.http.post(`/api/tickets/${ticketId}/close`, { token: visitor.token })).status).toBe(
      200,
    );
    const response = await patch(visitor, messageId, { body: 'after close' });
    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('ticket_closed');
    expect((await remove(visitor, messageId)).status).toBe(409);
    expect(await bodyOf(messageId)).toMatchObject({ body: 'closing soon', deleted_at: null });
  });

  it('deletes a message: gone from the visitor’s views and stream replay, kept for agents', async () => {
    const { visitor, messageId, agentMessageId } = await conversation('delete me');
    expect((await remove(visitor, agentMessageId)).status).toBe(403);
    const response = await remove(visitor, messageId);
    expect(response.status).toBe(204);
    const ids = (await visitor.messages()).map((m) => m.id);
    expect(ids).toContain(agentMessageId);
    expect(ids).not.toContain(messageId);
    const after = await visitor.http.get(`/api/session/${visitor.sessionId}?after=0`, {
      token: visitor.token,
    });
    expect(after.body.messages.map((m: { id: number }) => m.id)).not.toContain(messageId);
    expect(await bodyOf(messageId)).toMatchObject({ body: 'delete me', deleted_at: expect.anything() });
    // Twice: it is gone.
    expect((await remove(visitor, messageId)).status).toBe(404);
    expect((await patch(visitor, messageId, { body: 'back?' })).status).toBe(404);
  });

  it('reactions: only on agents’ messages, only the allowed emoji; null takes it back', async () => {
    const { visitor, messageId, agentMessageId } = await conversation('react to the answer');
    const invalid = await react(visitor, agentMessageId, { emoji: '🦄' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.code).toBe('validation_failed');
    expect(invalid.body.error.message).toMatch(/^emoji: must be one of 👍/);
    expect((await react(visitor, agentMessageId, {})).status).toBe(400);
    expect((await react(visitor, messageId, { emoji: '👍' })).status).toBe(403);
    expect(await bodyOf(agentMessageId)).toMatchObject({ visitor_reaction: null });

    const set = await react(visitor, agentMessageId, { emoji: '🙏' });
    expect(set.status).toBe(200);
    expect(set.body.message.reactions).toEqual([{ emoji: '🙏', from: 'visitor' }]);
    const shown = (await visitor.messages('agent')).find((m) => m.id === agentMessageId);
    expect(shown).toMatchObject({ reactions: [{ emoji: '🙏', from: 'visitor' }] });
    const cleared = await react(visitor, agentMessageId, { emoji: null });
    expect(cleared.body.message.reactions).toEqual([]);
  });

  describe('polling: GET /api/session/:id?since= sees every change', () => {
    type Changes = {
      messages: { id: number; body: string; edited_at: string | null; reactions: unknown[] }[];
      deleted_message_ids: number[];
      revision: number;
    };
    const since = async (visitor: Visitor, revision?: number) => {
      const response = await visitor.http.get(
        `/api/session/${visitor.sessionId}${revision === undefined ? '' : `?since=${revision}`}`,
        { token: visitor.token },
      );
      expect(response.status).toBe(200);
      return response.body as Changes;
    };
    const ids = (changes: Changes) => changes.messages.map((message) => message.id);

    it('returns what was created, edited, reacted to or deleted since, and a cursor', async () => {
      const { visitor, ticketId, messageId, agentMessageId } = await conversation('first words');
      const start = await since(visitor);
      expect(ids(start)).toEqual(expect.arrayContaining([messageId, agentMessageId]));
      expect(start.deleted_message_ids).toEqual([]);
      expect(start.revision).toEqual(expect.any(Number));

      // Nothing happened: asking again returns nothing new (what it does return is only what it saw).
      const quiet = await since(visitor, start.revision);
      expect(quiet.deleted_message_ids).toEqual([]);
      expect(ids(quiet).every((id) => ids(start).includes(id))).toBe(true);
      const cursor = quiet.revision;
      expect(cursor).toBeGreaterThanOrEqual(start.revision);

      // The visitor edits, reacts, writes and deletes; the agent writes and deletes.
      expect((await patch(visitor, messageId, { body: 'first words, edited' })).status).toBe(200);
      expect((await react(visitor, agentMessageId, { emoji: '👍' })).status).toBe(200);
      const doomed = (await visitor.say('soon deleted')).message.id;
      expect((await remove(visitor, doomed)).status).toBe(204);
      const later = (await visitor.say('a new question')).message.id;
      const agentDoomed = await app.inContext(async () => {
        const agent = await app.services.agents.upsert({ tgChatId: 9000 + ticketId, name: 'Alice' });
        const sent = await app.services.messages.sendAgentMessage({
          ticketId,
          agentId: agent.id,
          body: 'oops',
        });
        await app.services.messageChanges.deleteByAgent({
          ticketId,
          agentId: agent.id,
          messageId: sent.message.id,
        });
        return sent.message.id;
      });

      const changes = await since(visitor, cursor);
      const byId = new Map(changes.messages.map((message) => [message.id, message]));
      expect(byId.get(messageId)).toMatchObject({
        body: 'first words, edited',
        edited_at: expect.any(String),
      });
      expect(byId.get(agentMessageId)).toMatchObject({ reactions: [{ emoji: '👍', from: 'visitor' }] });
      expect(byId.get(later)).toMatchObject({ body: 'a new question' });
      expect([...byId.keys()]).not.toContain(doomed);
      expect([...byId.keys()]).not.toContain(agentDoomed);
      expect(changes.deleted_message_ids.sort()).toEqual([doomed, agentDoomed].sort());

      // The cursor moves on: soon (once transactions running now have ended, here or in another database
      // of the server) a poll no longer reports those changes.
      await eventually(async () => {
        const next = await since(visitor, (await since(visitor)).revision);
        return next.deleted_message_ids.length === 0 && !ids(next).includes(messageId);
      });
      // Another session's changes never show.
      const other = await conversation('someone else');
      expect(ids(await since(visitor, cursor))).not.toContain(other.messageId);
    });

    it('refuses a bad cursor, or after and since together, with a clear 400', async () => {
      const { visitor } = await conversation('bad cursors');
      for (const query of [
        'since=abc',
        'since=-1',
        'since=1.5',
        'since=',
        'since=99999999999999999',
        'since=1&since=2',
      ]) {
        const response = await visitor.http.get(`/api/session/${visitor.sessionId}?${query}`, {
          token: visitor.token,
        });
        expect(response.status, query).toBe(400);
        expect(response.body.error.code, query).toBe('validation_failed');
        expect(response.body.error.message, query).toMatch(/^since: /);
      }
      const both = await visitor.http.get(`/api/session/${visitor.sessionId}?after=1&since=1`, {
        token: visitor.token,
      });
      expect(both.status).toBe(400);
      expect(both.body).toEqual({
        error: {
          code: 'validation_failed',
          message: 'since: give either after (newer messages) or since (changed messages), not both',
        },
      });
    });

    // PGlite runs one transaction at a time, so transactions cannot overlap there.
    it.skipIf(databaseKind === 'pglite')(
      'a change an older transaction commits late is not skipped',
      async () => {
        const { visitor, messageId, agentMessageId } = await conversation('slow and fast');
        const { revision: cursor } = await since(visitor);
        // An older transaction changes the agent's message (the agent's reaction) and stays open…
        const slow = new pg.Client({ connectionString: app.orm.config.get('clientUrl') });
        await slow.connect();
        let next: number;
        try {
          await slow.query('begin');
          await slow.query(`update messages set agent_reaction = '🔥' where id = $1`, [agentMessageId]);
          // …while a younger one (the visitor's edit) commits first.
          expect((await patch(visitor, messageId, { body: 'fast edit' })).status).toBe(200);
          const first = await since(visitor, cursor);
          expect(first.messages.find((m) => m.id === messageId)).toMatchObject({ body: 'fast edit' });
          expect(first.messages.find((m) => m.id === agentMessageId)?.reactions ?? []).toEqual([]);
          next = first.revision;
          await slow.query('commit');
        } finally {
          await slow.end();
        }
        // The late commit has a smaller revision than the edit already seen, yet the cursor still covers it.
        const second = await since(visitor, next);
        expect(second.messages.find((m) => m.id === agentMessageId)).toMatchObject({
          reactions: [{ emoji: '🔥', from: 'agent' }],
        });
      },
    );
  });

  it('typing: 204 for one’s own session, 404 for another', async () => {
    const { visitor } = await conversation('typing');
    const other = await newVisitor(app.url);
    expect(
      (await visitor.http.post(`/api/session/${visitor.sessionId}/typing`, { token: visitor.token })).status,
    ).toBe(204);
    // Again at once: answered, dropped.
    expect(
      (await visitor.http.post(`/api/session/${visitor.sessionId}/typing`, { token: visitor.token })).status,
    ).toBe(204);
    expect(
      (await visitor.http.post(`/api/session/${other.sessionId}/typing`, { token: visitor.token })).status,
    ).toBe(404);
    expect((await visitor.http.post(`/api/session/${visitor.sessionId}/typing`)).status).toBe(401);
  });

  it('the visitor typing is shown by one instance per interval (a typing turn on the ticket)', async () => {
    const { ticketId } = await conversation('turns');
    const turn = () => app.inContext(() => app.services.typing.takeTypingTurn(ticketId, 60_000));
    const [a, b] = await Promise.all([turn(), turn()]);
    expect([a, b].filter(Boolean)).toHaveLength(1);
    expect((a ?? b)?.agent).toMatchObject({ tgChatId: 9000 + ticketId });
    expect(await turn()).toBeNull();
  });
});
