import { sign } from '@telegram-apps/init-data-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeTelegram, startFakeTelegram } from './fake-telegram/index.ts';
import { databaseKind } from './support/database.ts';
import { httpClient } from './support/http.ts';
import { signInitData, tma } from './support/init-data.ts';
import { openSse, type SseEvent } from './support/sse.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { eventually, newVisitor } from './support/visitor.ts';

const GROUP = -1001234567890;
const ALICE = { id: 2001, first_name: 'Alice', username: 'alice' };
const BOB = { id: 2002, first_name: 'Bob', username: 'bob' };
const EVE = { id: 2003, first_name: 'Eve', username: 'eve' };
const MINIAPP_URL = 'https://support.example.com/miniapp/';

type Sent = { message_id: number; text?: string; reply_markup?: unknown };
const buttonsOf = (message: Sent | undefined) =>
  (
    (message?.reply_markup as { inline_keyboard?: Record<string, unknown>[][] } | undefined)
      ?.inline_keyboard ?? []
  ).flat();

describe(`the agent API (${databaseKind})`, () => {
  let fake: FakeTelegram;
  let app: TestApp;
  let http: ReturnType<typeof httpClient>;

  const as = (user: typeof ALICE, options: { ageSeconds?: number } = {}) =>
    tma(signInitData(fake.token, user, options));
  const get = (user: typeof ALICE, path: string) => http.get(path, { headers: as(user) });
  const post = (user: typeof ALICE, path: string, json?: unknown) =>
    http.post(path, { headers: as(user), json });

  const cardOf = (ticketId: number) =>
    fake.messages(GROUP).find((m: Sent) => m.text?.includes(`#${ticketId}`) && !m.text.startsWith('⏰')) as
      | Sent
      | undefined;
  const botSaid = (chatId: number, pattern: RegExp) =>
    fake.waitFor(() => fake.sentTo(chatId).find((m: Sent) => pattern.test(m.text ?? '')), {
      timeoutMs: 15_000,
    });

  /** A visitor's first message and the card it produced in the group. */
  const newTicket = async (body: string, category?: string) => {
    const visitor = await newVisitor(app.url);
    const sent = await visitor.say(body, category);
    const ticketId = sent.ticket.id;
    const card = await fake.waitFor(() => cardOf(ticketId), { timeoutMs: 15_000 });
    return { visitor, ticketId, card };
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
      MINIAPP_URL,
      MINIAPP_AUTH_MAX_AGE_SECONDS: '3600',
      RATE_LIMIT_MESSAGES: '100',
      TELEGRAM_THROTTLE: 'false',
    });
    http = httpClient(app.url);
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await fake?.close();
  });

  describe('authentication', () => {
    it('refuses a request without Telegram init data: 401 in the one error shape', async () => {
      const missing = await http.get('/api/agent/queue');
      expect(missing.status).toBe(401);
      expect(missing.body).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
      const bearer = await http.get('/api/agent/queue', { headers: { authorization: 'Bearer abc' } });
      expect(bearer.status).toBe(401);
      const empty = await http.get('/api/agent/queue', { headers: { authorization: 'tma ' } });
      expect(empty.status).toBe(401);
    });

    it('refuses init data with a bad hash (tampered, or signed with another token): 401', async () => {
      const genuine = signInitData(fake.token, EVE);
      // Eve swaps herself for Alice, an agent, keeping Telegram's hash.
      const tampered = genuine.replace(encodeURIComponent('"id":2003'), encodeURIComponent('"id":2001'));
      expect(tampered).not.toBe(genuine);
      const forged = await http.get('/api/agent/queue', { headers: tma(tampered) });
      expect(forged.status).toBe(401);
      expect(forged.body.error.message).toMatch(/Invalid Telegram init data/);

      const otherBot = signInitData('654321:another-bot-token', ALICE);
      expect((await http.get('/api/agent/queue', { headers: tma(otherBot) })).status).toBe(401);

      // Dated in the future (a clock far ahead), or without a user: refused too.
      const future = await http.get('/api/agent/queue', { headers: as(ALICE, { ageSeconds: -3600 }) });
      expect(future.status).toBe(401);
      const noUser = sign({ chat_type: 'sender', chat_instance: '1' }, fake.token, new Date());
      const anonymous = await http.get('/api/agent/queue', { headers: tma(noUser) });
      expect(anonymous.status).toBe(401);
      expect(anonymous.body.error.message).toMatch(/no user/);

      const noHash = signInitData(fake.token, ALICE).replace(/&hash=[0-9a-f]+/, '');
      expect((await http.get('/api/agent/queue', { headers: tma(noHash) })).status).toBe(401);
    });

    it('refuses stale init data (auth_date older than MINIAPP_AUTH_MAX_AGE_SECONDS): 401', async () => {
      const stale = await http.get('/api/agent/queue', { headers: as(ALICE, { ageSeconds: 3700 }) });
      expect(stale.status).toBe(401);
      expect(stale.body.error.message).toMatch(/expired/);
      // Just inside the limit is fine.
      expect((await http.get('/api/agent/queue', { headers: as(ALICE, { ageSeconds: 3500 }) })).status).toBe(
        200,
      );
    });

    it('refuses a genuine Telegram user who is not in the support group: 403', async () => {
      const response = await get(EVE, '/api/agent/queue');
      expect(response.status).toBe(403);
      expect(response.body).toEqual({
        error: { code: 'forbidden', message: 'Only members of the support group can use this app' },
      });
      // Every route is guarded, the event stream too.
      expect((await get(EVE, '/api/agent/events')).status).toBe(403);
      expect((await post(EVE, '/api/agent/tickets/1/claim')).status).toBe(403);
    });

    it('lets an agent in: who they are and the bot to chat with', async () => {
      const response = await get(ALICE, '/api/agent/me');
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        agent: { id: expect.any(Number), name: 'Alice', username: 'alice' },
        bot_username: fake.botUser.username,
      });
    });
  });

  it('the queue lists a visitor’s ticket with category, preview, age and passes; pass counts', async () => {
    const { ticketId } = await newTicket('My invoice is wrong', 'Billing');
    const queue = await get(ALICE, '/api/agent/queue');
    expect(queue.status).toBe(200);
    const entry = queue.body.unclaimed.find((item: { id: number }) => item.id === ticketId);
    expect(entry).toMatchObject({
      status: 'open',
      category: 'Billing',
      preview: 'My invoice is wrong',
      passes: 0,
      passed_by_me: false,
      mine: false,
      agent_name: null,
    });
    expect(entry.age_seconds).toBeGreaterThanOrEqual(0);
    expect(queue.body.open.map((item: { id: number }) => item.id)).toContain(ticketId);

    const passed = await post(BOB, `/api/agent/tickets/${ticketId}/pass`);
    expect(passed.status).toBe(200);
    expect(passed.body.ticket).toMatchObject({ id: ticketId, status: 'open', passed_by: ['Bob'] });
    const after = await get(BOB, '/api/agent/queue');
    expect(after.body.unclaimed.find((item: { id: number }) => item.id === ticketId)).toMatchObject({
      passes: 1,
      passed_by_me: true,
    });
    // The card in the group shows the pass, as for a pass pressed there.
    await fake.waitFor(() => cardOf(ticketId)?.text?.includes('Passed by Bob'), { timeoutMs: 15_000 });
  });

  it('a claim from the app and one from the group race: exactly one winner, both sides see it', async () => {
    // Both orders of starting; who wins is up to the database, and exactly one does.
    for (let round = 0; round < 4; round++) {
      const { visitor, ticketId, card } = await newTicket(`Race ${round}`);
      const answersBefore = fake.callbackAnswers().length;
      const pressClaim = () =>
        fake.clickButton({ from: BOB.id, chatId: GROUP, messageId: card.message_id, text: '✅ Claim' });
      // Bob presses Claim on the card while Alice claims in the Mini App.
      if (round % 2 === 0) pressClaim();
      const claiming = post(ALICE, `/api/agent/tickets/${ticketId}/claim`);
      if (round % 2 === 1) setTimeout(pressClaim, 15);
      const fromApp = await claiming;
      await fake.waitFor(() => fake.callbackAnswers().length > answersBefore, { timeoutMs: 15_000 });
      const answer = String(fake.callbackAnswers()[answersBefore]?.text);

      const appWon = fromApp.status === 200;
      const groupWon = answer.includes('is yours');
      expect(appWon !== groupWon).toBe(true);
      const winner = appWon ? ALICE : BOB;
      if (appWon) {
        expect(fromApp.body.ticket).toMatchObject({ status: 'claimed', agent_name: 'Alice', mine: true });
        expect(answer).toBe(`Ticket #${ticketId} is already claimed by Alice`);
      } else {
        expect(fromApp.status).toBe(409);
        expect(fromApp.body.error).toEqual({
          code: 'ticket_already_claimed',
          message: `Ticket #${ticketId} is already claimed by Bob`,
        });
      }
      // The visitor sees the winner; the card names them; the winner is connected in the DM.
      const conversation = await eventually(async () => {
        const current = await visitor.conversation();
        return current.ticket?.status === 'claimed' ? current : null;
      });
      expect(conversation.ticket?.agent_name).toBe(winner.first_name);
      await fake.waitFor(() => cardOf(ticketId)?.text?.includes(`claimed by @${winner.username}`), {
        timeoutMs: 15_000,
      });
      // No Claim / Pass any more; the "Open in app" link stays (MINIAPP_URL is https here).
      expect(buttonsOf(cardOf(ticketId)).map((button) => button.text)).toEqual(['📱 Open in app']);
      await botSaid(winner.id, new RegExp(`connected to #${ticketId}`));
    }
  });

  it('claim from the app: the card is edited, the visitor sees the agent live, the agent is connected', async () => {
    const { visitor, ticketId, card } = await newTicket('Please help with my order');
    const stream = await openSse(`${app.url}/api/session/${visitor.sessionId}/events`, {
      authorization: `Bearer ${visitor.token}`,
    });
    await stream.waitFor((events) => events.some((e) => e.event === 'ticket'));

    const claimed = await post(ALICE, `/api/agent/tickets/${ticketId}/claim`);
    expect(claimed.status).toBe(200);

    await stream.waitFor((events) =>
      events.some((e) => e.event === 'ticket' && (e.data as { agent_name: string }).agent_name === 'Alice'),
    );
    await stream.waitFor((events) =>
      events.some(
        (e) => e.event === 'message' && (e.data as { body: string }).body === 'Alice joined the conversation',
      ),
    );
    await stream.close();
    const edited = await fake.waitFor(
      () =>
        fake
          .callsOf('editMessageText')
          .find(
            (call: { ok: boolean; params: { message_id: number; text: string } }) =>
              call.ok &&
              call.params.message_id === card.message_id &&
              /claimed by @alice/.test(call.params.text),
          ),
      { timeoutMs: 15_000 },
    );
    expect(edited).toBeTruthy();
    await botSaid(ALICE.id, new RegExp(`connected to #${ticketId}[\\s\\S]*Please help with my order`));

    // The same claim again is harmless; Bob's is refused with the winner's name.
    expect((await post(ALICE, `/api/agent/tickets/${ticketId}/claim`)).status).toBe(200);
    const late = await post(BOB, `/api/agent/tickets/${ticketId}/claim`);
    expect(late.status).toBe(409);
    expect(late.body.error.message).toContain('Alice');
    const mine = await get(ALICE, '/api/agent/queue');
    expect(mine.body.mine.map((item: { id: number }) => item.id)).toContain(ticketId);
    expect(mine.body.unclaimed.map((item: { id: number }) => item.id)).not.toContain(ticketId);
  });

  it('a reply from the app reaches the visitor; only the assigned agent may reply', async () => {
    const { visitor, ticketId } = await newTicket('Is anyone there?');
    await post(ALICE, `/api/agent/tickets/${ticketId}/claim`);
    const refused = await post(BOB, `/api/agent/tickets/${ticketId}/messages`, { body: 'Hi from Bob' });
    expect(refused.status).toBe(403);
    expect((await post(ALICE, `/api/agent/tickets/${ticketId}/messages`, { body: '   ' })).status).toBe(400);

    const reply = await post(ALICE, `/api/agent/tickets/${ticketId}/messages`, {
      body: 'Yes — how can I help? <b>',
    });
    expect(reply.status).toBe(201);
    expect(reply.body.message).toMatchObject({ sender: 'agent', agent_name: 'Alice' });
    const seen = (await visitor.messages('agent')).map((m) => [m.body, m.agent_name]);
    expect(seen).toEqual([['Yes — how can I help? <b>', 'Alice']]);

    // The visitor answers; the agent sees it in the ticket, and as unread in the queue.
    await visitor.say('My parcel is late');
    const ticket = await eventually(async () => {
      const response = await get(ALICE, `/api/agent/tickets/${ticketId}`);
      return response.body.messages.some((m: { body: string }) => m.body === 'My parcel is late')
        ? response
        : null;
    });
    expect(ticket.body.messages.map((m: { sender: string; body: string }) => [m.sender, m.body])).toEqual([
      ['visitor', 'Is anyone there?'],
      ['system', 'Alice joined the conversation'],
      ['agent', 'Yes — how can I help? <b>'],
      ['visitor', 'My parcel is late'],
    ]);
    const queue = await get(ALICE, '/api/agent/queue');
    expect(queue.body.mine.find((item: { id: number }) => item.id === ticketId)?.unread).toBe(1);
  });

  it('shows the ticket with the visitor’s details: locale, referrer, contact', async () => {
    const session = await http.post('/api/session', {
      json: { locale: 'de-DE', referer: 'https://shop.example.com/checkout' },
    });
    const token = session.body.access_token as string;
    const sessionId = session.body.session_id as string;
    const sent = await http.post(`/api/session/${sessionId}/messages`, {
      token,
      json: { body: 'Hallo', category: 'Technical' },
    });
    await http.post(`/api/session/${sessionId}/contact`, {
      token,
      json: { email: 'kunde@example.com', phone: '+49 30 1234567' },
    });
    const ticketId = sent.body.ticket.id as number;

    const response = await get(BOB, `/api/agent/tickets/${ticketId}`);
    expect(response.status).toBe(200);
    expect(response.body.ticket).toMatchObject({
      id: ticketId,
      status: 'open',
      category: 'Technical',
      mine: false,
      passed_by: [],
    });
    expect(response.body.visitor).toMatchObject({
      session_id: sessionId,
      locale: 'de-DE',
      referrer: 'https://shop.example.com/checkout',
      contact: { email: 'kunde@example.com', phone: '+49 30 1234567' },
      previous_tickets: 0,
    });
    expect(response.body.messages.map((m: { body: string }) => m.body)).toEqual(['Hallo']);
    expect((await get(BOB, '/api/agent/tickets/999999')).status).toBe(404);
    expect((await get(BOB, '/api/agent/tickets/abc')).status).toBe(404);
  });

  it('close from the app: the visitor gets the note and a system message, the card shows closed', async () => {
    const { visitor, ticketId } = await newTicket('Close me from the app');
    await post(ALICE, `/api/agent/tickets/${ticketId}/claim`);
    expect((await post(BOB, `/api/agent/tickets/${ticketId}/close`)).status).toBe(403);

    const closed = await post(ALICE, `/api/agent/tickets/${ticketId}/close`, { note: 'Glad I could help!' });
    expect(closed.status).toBe(200);
    expect(closed.body.ticket).toMatchObject({ id: ticketId, status: 'closed' });
    const conversation = await visitor.conversation();
    expect(conversation.ticket?.status).toBe('closed');
    expect(conversation.messages.slice(-2).map((m) => [m.sender, m.body])).toEqual([
      ['agent', 'Glad I could help!'],
      ['system', 'Conversation closed by Alice'],
    ]);
    await fake.waitFor(() => cardOf(ticketId)?.text?.includes('closed (@alice)'), { timeoutMs: 15_000 });
    // Closing again is harmless; replying to a closed ticket is not possible.
    expect((await post(ALICE, `/api/agent/tickets/${ticketId}/close`)).status).toBe(200);
    const late = await post(ALICE, `/api/agent/tickets/${ticketId}/messages`, { body: 'one more thing' });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('ticket_closed');
    const queue = await get(ALICE, '/api/agent/queue');
    expect(queue.body.open.map((item: { id: number }) => item.id)).not.toContain(ticketId);
  });

  it("shows agents a conversation's attachments, only through that ticket", async () => {
    const { visitor, ticketId } = await newTicket('I attach a screenshot');
    const form = new FormData();
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    form.set('file', new File([png], 'screen.png', { type: 'image/png' }));
    const upload = await fetch(`${app.url}/api/session/${visitor.sessionId}/media`, {
      method: 'POST',
      headers: { authorization: `Bearer ${visitor.token}` },
      body: form,
    });
    expect(upload.status).toBe(201);
    const mediaUrl = ((await upload.json()) as { message: { media_url: string } }).message.media_url;
    const file = mediaUrl.split('/').at(-1);

    const ticket = await get(ALICE, `/api/agent/tickets/${ticketId}`);
    expect(ticket.body.messages.map((m: { media_url: string | null }) => m.media_url)).toContain(mediaUrl);
    const fetched = await fetch(`${app.url}/api/agent/tickets/${ticketId}/media/${file}`, {
      headers: as(ALICE),
    });
    expect(fetched.status).toBe(200);
    expect(fetched.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await fetched.arrayBuffer())).toEqual(png);

    // Through another ticket (another session's folder), without initData, or as a non-agent: no.
    const other = await newTicket('someone else');
    expect((await get(ALICE, `/api/agent/tickets/${other.ticketId}/media/${file}`)).status).toBe(404);
    expect((await get(ALICE, `/api/agent/tickets/${ticketId}/media/..%2F..%2Fjwt-secret`)).status).toBe(404);
    expect((await http.get(`/api/agent/tickets/${ticketId}/media/${file}`)).status).toBe(401);
    expect((await get(EVE, `/api/agent/tickets/${ticketId}/media/${file}`)).status).toBe(403);
  });

  it('today: open count, tickets closed, median time to first reply, ratings', async () => {
    const { visitor, ticketId } = await newTicket('Rate me');
    await post(ALICE, `/api/agent/tickets/${ticketId}/claim`);
    await post(ALICE, `/api/agent/tickets/${ticketId}/messages`, { body: 'Done!' });
    await post(ALICE, `/api/agent/tickets/${ticketId}/close`);
    await visitor.http.post(`/api/tickets/${ticketId}/rating`, { token: visitor.token, json: { rating: 4 } });

    const since = new Date(Date.now() - 3600_000).toISOString();
    const stats = await get(ALICE, `/api/agent/stats/today?since=${encodeURIComponent(since)}`);
    expect(stats.status).toBe(200);
    const open = (await get(ALICE, '/api/agent/queue')).body.open.length;
    expect(stats.body).toMatchObject({ since, open_count: open });
    expect(stats.body.open_count).toBe(stats.body.unclaimed_count + stats.body.claimed_count);
    expect(stats.body.closed_count).toBeGreaterThanOrEqual(2);
    expect(stats.body.first_replies).toBeGreaterThanOrEqual(2);
    expect(stats.body.median_first_reply_seconds).toEqual(expect.any(Number));
    expect(stats.body.median_first_reply_seconds).toBeGreaterThanOrEqual(0);
    expect(stats.body.ratings).toEqual({ count: 1, average: 4, distribution: [0, 0, 0, 1, 0] });

    // A day with nothing in it yet.
    const future = new Date(Date.now() + 3600_000).toISOString();
    const empty = await get(ALICE, `/api/agent/stats/today?since=${encodeURIComponent(future)}`);
    expect(empty.body).toMatchObject({
      closed_count: 0,
      first_replies: 0,
      median_first_reply_seconds: null,
      ratings: { count: 0, average: null, distribution: [0, 0, 0, 0, 0] },
    });
    expect((await get(ALICE, '/api/agent/stats/today?since=yesterday')).status).toBe(400);
    expect((await get(ALICE, '/api/agent/stats/today')).status).toBe(200);
  });

  it('streams every ticket change and message to agents (SSE, token in the header)', async () => {
    const stream = await openSse(`${app.url}/api/agent/events`, as(BOB));
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    await stream.waitFor((events) => events.some((e) => e.event === 'ready'));

    const { ticketId } = await newTicket('Live for agents');
    const isTicket = (e: SseEvent, status: string) =>
      e.event === 'ticket' &&
      (e.data as { id: number; status: string }).id === ticketId &&
      (e.data as { status: string }).status === status;
    await stream.waitFor((events) => events.some((e) => isTicket(e, 'open')));
    await stream.waitFor((events) =>
      events.some((e) => e.event === 'message' && (e.data as { body: string }).body === 'Live for agents'),
    );
    await post(BOB, `/api/agent/tickets/${ticketId}/pass`);
    await post(ALICE, `/api/agent/tickets/${ticketId}/claim`);
    await stream.waitFor((events) => events.some((e) => isTicket(e, 'claimed')));
    await stream.close();
  });

  it('the bot offers the Mini App: the menu button and an "Open queue" button under /queue', async () => {
    expect(fake.menuButton()).toEqual({ type: 'web_app', text: 'Queue', web_app: { url: MINIAPP_URL } });
    fake.sendText({ from: ALICE.id, text: '/queue' });
    const reply = (await botSaid(ALICE.id, /Waiting for an agent|queue is empty/)) as Sent;
    expect(buttonsOf(reply)[0]).toEqual({ text: '📋 Open queue', web_app: { url: MINIAPP_URL } });
  });
});

describe(`the agent API without a bot (${databaseKind})`, () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  }, 60_000);
  afterAll(() => app?.close());

  it('answers 503, saying what to configure', async () => {
    const http = httpClient(app.url);
    const response = await http.get('/api/agent/queue', {
      headers: tma(signInitData('123456:whatever', ALICE)),
    });
    expect(response.status).toBe(503);
    expect(response.body.error).toEqual({
      code: 'service_unavailable',
      message: expect.stringContaining('TELEGRAM_BOT_TOKEN'),
    });
  });
});
