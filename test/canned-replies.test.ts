import type { Message } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityHash } from '../core/visitor-identity.ts';
import { type FakeTelegram, startFakeTelegram } from './fake-telegram/index.ts';
import { databaseKind } from './support/database.ts';
import { httpClient } from './support/http.ts';
import { signInitData, tma } from './support/init-data.ts';
import { agentsStartTheBot, fakeSupportGroup } from './support/support-group.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { eventually, newVisitor, type Visitor } from './support/visitor.ts';

const GROUP = -1005550001111;
const ALICE = { id: 3001, first_name: 'Alice', last_name: 'Archer', username: 'alice' };
const BOB = { id: 3002, first_name: 'Bob', username: 'bob' };
const EVE = { id: 3003, first_name: 'Eve', username: 'eve' };
const SECRET = 'identity-secret-0123456789abcdef';
const WAIT = { timeoutMs: 15_000 };

const textOf = (message: Message | undefined) => message?.text ?? message?.caption ?? '';

describe(`canned replies (${databaseKind})`, () => {
  let fake: FakeTelegram;
  let app: TestApp;
  let http: ReturnType<typeof httpClient>;

  const as = (user: { id: number; first_name: string }) => ({ headers: tma(signInitData(fake.token, user)) });
  const api = (user: typeof ALICE | typeof BOB | typeof EVE, method: string, path: string, json?: unknown) =>
    http.request(method, path, { ...as(user), json });

  /** A visitor (identified as `name` when given) with a new ticket, claimed by `agent` in its topic. */
  const claimedTicket = async (
    agent: { id: number },
    body: string,
    { name, category }: { name?: string; category?: string } = {},
  ) => {
    const visitor = await newVisitor(app.url);
    if (name) {
      const id = `user-${name}-${Date.now()}`;
      const identified = await visitor.http.post(`/api/session/${visitor.sessionId}/identify`, {
        token: visitor.token,
        json: { id, name, hash: identityHash(SECRET, id) },
      });
      expect(identified.status).toBe(200);
    }
    const { ticket } = await visitor.say(body, category);
    const card = await fake.waitFor(
      () =>
        fake
          .messages(GROUP)
          .find((m) => m.from?.is_bot && textOf(m).includes(`#${ticket.id}`) && m.reply_markup),
      WAIT,
    );
    fake.clickButton({ from: agent.id, chatId: GROUP, messageId: card.message_id, text: '✅ Claim' });
    const topic = await fake.waitFor(
      () => fake.topics(agent.id).find((t) => t.name.startsWith(`#${ticket.id} ·`)),
      WAIT,
    );
    await fake.waitFor(
      () =>
        fake.messagesInThread(agent.id, topic.message_thread_id).find((m) => /connected to/.test(textOf(m))),
      WAIT,
    );
    return { visitor, ticketId: ticket.id, threadId: topic.message_thread_id };
  };

  const agentLines = async (visitor: Visitor) => (await visitor.messages('agent')).map((m) => m.body);

  beforeAll(async () => {
    fake = await startFakeTelegram({ topicsInPrivateChats: true });
    fake.setInlineMode(true);
    const env = fakeSupportGroup(fake, GROUP, [ALICE, BOB]);
    fake.addUser(EVE);
    app = await startTestApp({ ...env, IDENTITY_SECRET: SECRET, RATE_LIMIT_MESSAGES: '100' });
    http = httpClient(app.url);
    await agentsStartTheBot(fake, [ALICE, BOB]);
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await fake?.close();
  });

  describe('managed in the agent API', () => {
    it('adds, lists, edits and deletes the team’s snippets; every agent shares them', async () => {
      const created = await api(ALICE, 'POST', '/api/agent/canned-replies', {
        title: '  Refund policy ',
        body: 'Hi {visitor_name}, refunds take 5 days. — {agent_name}',
        category: 'Billing',
      });
      expect(created.status).toBe(201);
      expect(created.body.reply).toMatchObject({
        title: 'Refund policy',
        body: 'Hi {visitor_name}, refunds take 5 days. — {agent_name}',
        category: 'Billing',
        updated_by: 'Alice Archer',
      });
      const general = await api(BOB, 'POST', '/api/agent/canned-replies', {
        title: 'Greeting',
        body: 'Hello {visitor_name|friend}! I am {agent_name}, looking at #{ticket_id} now.',
      });
      expect(general.status).toBe(201);
      expect(general.body.reply.category).toBeNull();

      const listed = await api(BOB, 'GET', '/api/agent/canned-replies');
      expect(listed.status).toBe(200);
      expect(listed.body.replies.map((r: { title: string }) => r.title)).toEqual([
        'Refund policy',
        'Greeting',
      ]);

      const id = general.body.reply.id;
      const edited = await api(ALICE, 'PUT', `/api/agent/canned-replies/${id}`, {
        title: 'Greeting',
        body: 'Hello {visitor_name|friend}! I am {agent_name}; I have #{ticket_id}.',
        category: null,
      });
      expect(edited.status).toBe(200);
      expect(edited.body.reply).toMatchObject({
        body: expect.stringContaining('I have #{ticket_id}'),
        updated_by: 'Alice Archer',
      });

      const scratch = await api(ALICE, 'POST', '/api/agent/canned-replies', { title: 'Scratch', body: 'x' });
      const removed = await api(BOB, 'DELETE', `/api/agent/canned-replies/${scratch.body.reply.id}`);
      expect(removed.status).toBe(204);
      expect((await api(BOB, 'DELETE', `/api/agent/canned-replies/${scratch.body.reply.id}`)).status).toBe(
        404,
      );
      expect((await api(BOB, 'GET', '/api/agent/canned-replies')).body.replies).toHaveLength(2);
    });

    it('refuses bad snippets with a clear 400 and writes nothing; non-agents get 403', async () => {
      const before = await app.count('canned_replies');
      const cases: [unknown, RegExp][] = [
        [{ title: '   ', body: 'x' }, /^title: must not be empty/],
        [{ title: 'T', body: '' }, /^body: must not be empty/],
        [{ title: 'T', body: 'Hi {visitor_nmae}' }, /unknown placeholder \{visitor_nmae\}.*\{visitor_name\}/],
        [
          { title: 'T', body: 'x', category: 'Sales' },
          /^category: must be one of General, Billing, Technical/,
        ],
        [{ title: 'x'.repeat(101), body: 'x' }, /^title: must be at most 100 characters/],
        [{ title: 'T', body: 'x'.repeat(3501) }, /^body: must be at most 3500 characters/],
        [{ title: 'T', body: 'a\u0000b' }, /^body: must not contain control characters/],
        [{ title: 'T', body: 'x', color: 'red' }, /color|Unrecognized/i],
      ];
      for (const [json, message] of cases) {
        const response = await api(ALICE, 'POST', '/api/agent/canned-replies', json);
        expect(response.status, JSON.stringify(json)).toBe(400);
        expect(response.body.error.code).toBe('validation_failed');
        expect(response.body.error.message).toMatch(message);
      }
      const garbage = await http.request('POST', '/api/agent/canned-replies', {
        ...as(ALICE),
        rawBody: '{"title":',
      });
      expect(garbage.status).toBe(400);
      expect(
        (await api(ALICE, 'PUT', '/api/agent/canned-replies/999999', { title: 'T', body: 'x' })).status,
      ).toBe(404);
      expect(
        (await api(ALICE, 'PUT', '/api/agent/canned-replies/abc', { title: 'T', body: 'x' })).status,
      ).toBe(404);
      expect((await api(EVE, 'GET', '/api/agent/canned-replies')).status).toBe(403);
      expect((await api(EVE, 'POST', '/api/agent/canned-replies', { title: 'T', body: 'x' })).status).toBe(
        403,
      );
      expect((await http.get('/api/agent/canned-replies')).status).toBe(401);
      expect(await app.count('canned_replies')).toBe(before);
    });
  });

  describe('in the Mini App reply box', () => {
    it('offers the ticket’s category first, filled for the ticket: the visitor’s name, or a fallback word', async () => {
      const named = await claimedTicket(BOB, 'Where is my refund?', {
        name: 'Ada Lovelace',
        category: 'Billing',
      });
      const response = await api(BOB, 'GET', `/api/agent/tickets/${named.ticketId}/canned-replies`);
      expect(response.status).toBe(200);
      const [first, second] = response.body.replies;
      expect(first).toMatchObject({ title: 'Refund policy', matches_category: true });
      expect(first.text).toBe('Hi Ada Lovelace, refunds take 5 days. — Bob');
      expect(second.text).toBe(`Hello Ada Lovelace! I am Bob; I have #${named.ticketId}.`);

      const anonymous = await claimedTicket(BOB, 'Hello?', { category: 'Technical' });
      const filled = (await api(BOB, 'GET', `/api/agent/tickets/${anonymous.ticketId}/canned-replies`)).body
        .replies;
      expect(filled.map((r: { title: string }) => r.title)).toEqual(['Refund policy', 'Greeting']);
      expect(filled[0].text).toBe('Hi there, refunds take 5 days. — Bob');
      expect(filled[1].text).toBe(`Hello friend! I am Bob; I have #${anonymous.ticketId}.`);
      for (const reply of filled) expect(reply.text).not.toMatch(/\{[a-z_]+/);
      expect((await api(BOB, 'GET', '/api/agent/tickets/999999/canned-replies')).status).toBe(404);
      expect((await api(EVE, 'GET', `/api/agent/tickets/${anonymous.ticketId}/canned-replies`)).status).toBe(
        403,
      );
    });
  });

  describe('in Telegram through inline mode', () => {
    it('getMe says the bot takes inline queries (BotFather /setinline), and the bot asks Telegram for them', async () => {
      const me = await fetch(`${fake.apiRoot}/bot${fake.token}/getMe`).then((r) => r.json());
      expect(me.result.supports_inline_queries).toBe(true);
      const polls = fake.callsOf('getUpdates');
      expect(polls.at(-1)?.params.allowed_updates).toContain('inline_query');
    });

    /** Alice's first ticket, its visitor named Grace, and the canned reply she posted in it. */
    let grace: Awaited<ReturnType<typeof claimedTicket>> & { posted: Message };

    it('an agent with one ticket sees the snippets filled for it, picks one in the topic, and the visitor gets it', async () => {
      const ticket = await claimedTicket(ALICE, 'I was charged twice', {
        name: 'Grace',
        category: 'Billing',
      });
      const query = fake.sendInlineQuery({ from: ALICE.id, query: 'refund', chatType: 'sender' });
      const answer = await fake.waitFor(() => fake.inlineAnswer(query.inline_query?.id ?? ''), WAIT);
      expect(answer.isPersonal).toBe(true);
      expect(answer.results).toHaveLength(1);
      const [result] = answer.results;
      expect(result?.title).toBe('Refund policy · Billing');
      // The description previews it filled for her one ticket.
      expect(result?.description).toContain(`for #${ticket.ticketId}`);
      expect(result?.description).toContain('Hi Grace, refunds take 5 days. — Alice');

      const chosen = fake.chooseInlineResult({
        query,
        resultId: result?.id ?? '',
        chatId: ALICE.id,
        threadId: ticket.threadId,
      });
      expect(chosen.message?.via_bot?.id).toBe(fake.botUser.id);
      await eventually(async () =>
        (await agentLines(ticket.visitor)).includes('Hi Grace, refunds take 5 days. — Alice'),
      );
      grace = { ...ticket, posted: chosen.message as Message };
      // What was posted kept the visitor's placeholders: the relay filled them for the ticket it reached.
      expect(result?.message.text).toBe('Hi {visitor_name}, refunds take 5 days. — Alice');
    });

    it('editing a posted snippet in Telegram fills its placeholders for its ticket again', async () => {
      // Telegram's copy still says {visitor_name}: the agent edits that text.
      fake.editText({
        from: ALICE.id,
        chatId: ALICE.id,
        messageId: grace.posted.message_id,
        text: 'Hi {visitor_name}, refunds take 3 days. — Alice, #{ticket_id}',
      });
      const expected = `Hi Grace, refunds take 3 days. — Alice, #${grace.ticketId}`;
      await eventually(async () => (await agentLines(grace.visitor)).includes(expected));
      // The same message changed: the old text is gone.
      expect(await agentLines(grace.visitor)).not.toContain('Hi Grace, refunds take 5 days. — Alice');
      for (const line of await agentLines(grace.visitor)) expect(line).not.toMatch(/\{[a-z_]+/);
    });

    it('a result answered while the agent had one ticket, posted in a ticket she got since, carries nothing of the first visitor', async () => {
      const query = fake.sendInlineQuery({ from: ALICE.id, query: 'refund' });
      const answer = await fake.waitFor(() => fake.inlineAnswer(query.inline_query?.id ?? ''), WAIT);
      const [result] = answer.results;
      expect(result?.description).toContain(`for #${grace.ticketId}`);
      // Before she picks it, she claims another ticket, and posts the result there.
      const hopper = await claimedTicket(ALICE, 'My card was declined', { name: 'Hopper' });
      fake.chooseInlineResult({
        query,
        resultId: result?.id ?? '',
        chatId: ALICE.id,
        threadId: hopper.threadId,
      });
      await eventually(async () =>
        (await agentLines(hopper.visitor)).includes('Hi Hopper, refunds take 5 days. — Alice'),
      );
      for (const line of await agentLines(hopper.visitor)) expect(line).not.toMatch(/Grace|\{[a-z_]+/);
    });

    it('with several tickets, the visitor’s placeholders are filled for the ticket the message reaches', async () => {
      // Alice now has several tickets: the query cannot say which one the answer is for.
      const second = await claimedTicket(ALICE, 'Another question', { category: 'General' });
      const query = fake.sendInlineQuery({ from: ALICE.id, query: 'greeting' });
      const answer = await fake.waitFor(() => fake.inlineAnswer(query.inline_query?.id ?? ''), WAIT);
      const [result] = answer.results;
      // Her own name is filled; the visitor's fields wait for the ticket, and the agent is told so.
      expect(result?.message.text).toBe('Hello {visitor_name|friend}! I am Alice; I have #{ticket_id}.');
      expect(result?.description).toContain('filled in for the ticket you send it in');

      fake.chooseInlineResult({
        query,
        resultId: result?.id ?? '',
        chatId: ALICE.id,
        threadId: second.threadId,
      });
      const expected = `Hello friend! I am Alice; I have #${second.ticketId}.`;
      await eventually(async () => (await agentLines(second.visitor)).includes(expected));
      // Never a raw placeholder for the visitor.
      for (const line of await agentLines(second.visitor)) expect(line).not.toMatch(/\{[a-z_]+/);
    });

    it('finds by words of the title, text or category; an empty query lists them all', async () => {
      const all = fake.sendInlineQuery({ from: BOB.id, query: '' });
      const everything = await fake.waitFor(() => fake.inlineAnswer(all.inline_query?.id ?? ''), WAIT);
      expect(everything.results.map((r) => r.title)).toEqual(['Refund policy · Billing', 'Greeting']);
      const none = fake.sendInlineQuery({ from: BOB.id, query: 'no such snippet' });
      const empty = await fake.waitFor(() => fake.inlineAnswer(none.inline_query?.id ?? ''), WAIT);
      expect(empty.results).toEqual([]);
      const byCategory = fake.sendInlineQuery({ from: BOB.id, query: 'billing 5 days' });
      const found = await fake.waitFor(() => fake.inlineAnswer(byCategory.inline_query?.id ?? ''), WAIT);
      expect(found.results.map((r) => r.title)).toEqual(['Refund policy · Billing']);
    });

    it('someone outside the support group gets no snippets', async () => {
      const query = fake.sendInlineQuery({ from: EVE.id, query: 'refund' });
      const answer = await fake.waitFor(() => fake.inlineAnswer(query.inline_query?.id ?? ''), WAIT);
      expect(answer.results).toEqual([]);
    });
  });
});
