import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeTelegram, startFakeTelegram } from './fake-telegram/index.ts';
import { databaseKind } from './support/database.ts';
import { currentSetupCode } from './support/setup-code.ts';
import { linkedToTicket } from './support/telegram-links.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { eventually, newVisitor } from './support/visitor.ts';

const GROUP = -1001234567890;
const ALICE = { id: 1001, first_name: 'Alice', username: 'alice' };
const BOB = { id: 1002, first_name: 'Bob', username: 'bob' };
const EVE = { id: 1003, first_name: 'Eve', username: 'eve' };
const WEBHOOK_SECRET = 'webhook-secret-0123456789';

type Sent = { message_id: number; text?: string; caption?: string; reply_markup?: unknown };
const buttonsOf = (message: Sent | undefined) =>
  ((message?.reply_markup as { inline_keyboard?: { text: string }[][] } | undefined)?.inline_keyboard ?? [])
    .flat()
    .map((button) => button.text);

describe.each(['polling', 'webhook'] as const)(`the Telegram bot (%s, ${databaseKind})`, (mode) => {
  let fake: FakeTelegram;
  let app: TestApp;

  const cardOf = (ticketId: number) =>
    fake.messages(GROUP).find((m: Sent) => m.text?.includes(`#${ticketId}`) && !m.text.startsWith('⏰')) as
      | Sent
      | undefined;
  const dmTexts = (user: { id: number }) =>
    fake.messages(user.id).map((m: Sent & { from?: { is_bot: boolean } }) => m.text ?? m.caption ?? '');
  // Generous waits: CI machines are small and run two test files at once.
  const botSaid = (chatId: number, pattern: RegExp) =>
    fake.waitFor(() => fake.sentTo(chatId).find((m: Sent) => pattern.test(m.text ?? m.caption ?? '')), {
      timeoutMs: 15_000,
    });
  const answers = () => fake.callbackAnswers().map((a: { text?: string }) => a.text ?? '');

  /** A visitor's first message, and the card it produced in the group. */
  const newTicket = async (body = 'Hello, I need help with my order', category?: string) => {
    const visitor = await newVisitor(app.url);
    const sent = await visitor.say(body, category);
    const ticketId = sent.ticket.id;
    const card = await fake.waitFor(() => cardOf(ticketId), { timeoutMs: 15_000 });
    return { visitor, ticketId, card };
  };

  const claim = async (agent: { id: number }, ticketId: number) => {
    const card = cardOf(ticketId) as Sent;
    fake.clickButton({ from: agent.id, chatId: GROUP, messageId: card.message_id, text: '✅ Claim' });
    await botSaid(agent.id, new RegExp(`connected to <b>#${ticketId}|connected to #${ticketId}`));
  };

  beforeAll(async () => {
    fake = await startFakeTelegram();
    fake.addGroup({ id: GROUP, title: 'Support team', botStatus: 'left' });
    for (const user of [ALICE, BOB, EVE]) fake.addUser(user);
    fake.setChatMember(GROUP, ALICE.id, 'administrator');
    fake.setChatMember(GROUP, BOB.id, 'member');
    app = await startTestApp({
      TELEGRAM_BOT_TOKEN: fake.token,
      TELEGRAM_API_ROOT: fake.apiRoot,
      BOT_MODE: mode,
      WEBHOOK_SECRET,
      ADMIN_TOKEN: 'admin-token-0123456789',
      AFTER_HOURS_MINUTES: '0.04',
      RATE_LIMIT_MESSAGES: '50',
      // The fake enforces Telegram's limits only where a test asks for it (and then auto-retry copes).
      TELEGRAM_THROTTLE: 'false',
    });
    if (mode === 'webhook') await app.telegram?.setWebhook(`${app.url}/api/telegram/webhook`);

    // Added to the group, the bot explains /setup; an admin binds the group with the operator's setup
    // code; agents start the bot once.
    const code = await currentSetupCode(app.orm);
    fake.botAddedToGroup({ groupId: GROUP, by: ALICE.id });
    await botSaid(GROUP, /a group admin sends \/setup/);
    fake.sendText({ from: BOB.id, chatId: GROUP, text: `/setup ${code}` });
    await botSaid(GROUP, /Only an admin/);
    fake.sendText({ from: ALICE.id, chatId: GROUP, text: `/setup ${code}` });
    await botSaid(GROUP, /now the support group/);
    for (const agent of [ALICE, BOB]) {
      fake.sendText({ from: agent.id, text: '/start' });
      await botSaid(agent.id, /support team/);
    }
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await fake?.close();
  });

  it('registers its commands at start', () => {
    const scopes = fake
      .callsOf('setMyCommands')
      .map((call: { params: { scope?: unknown } }) => call.params.scope);
    expect(scopes).toEqual(
      expect.arrayContaining([{ type: 'all_private_chats' }, { type: 'all_group_chats' }]),
    );
  });

  it('posts a card for a new ticket, escaping what the visitor typed', async () => {
    const { ticketId, card } = await newTicket('<b>bold</b> *_[link](x) & more', 'Billing');
    expect(card.text).toContain(`#${ticketId} · Billing`);
    expect(card.text).toContain('<b>bold</b> *_[link](x) & more');
    expect(buttonsOf(card)).toEqual(['✅ Claim', '↩️ Pass']);
  });

  it('refreshes the card, not the group, when an unclaimed ticket gets more messages', async () => {
    const { visitor, ticketId } = await newTicket('first');
    const before = fake.sentTo(GROUP).length;
    await visitor.say('second');
    await fake.waitFor(() => cardOf(ticketId)?.text?.includes('second'));
    expect(fake.sentTo(GROUP).length).toBe(before);
  });

  it('two agents race to claim: one wins, the card is edited once, the loser is told who won', async () => {
    const { visitor, ticketId, card } = await newTicket('Race me');
    const edits = () =>
      fake
        .callsOf('editMessageText')
        .filter((c: { params: { message_id: number } }) => c.params.message_id === card.message_id);
    const answersBefore = answers().length;
    fake.clickButton({ from: ALICE.id, chatId: GROUP, messageId: card.message_id, text: '✅ Claim' });
    fake.clickButton({ from: BOB.id, chatId: GROUP, messageId: card.message_id, text: '✅ Claim' });
    await fake.waitFor(() => answers().length >= answersBefore + 2);
    const given = answers().slice(answersBefore);
    const won = given.filter((text: string) => text.includes('is yours'));
    const lost = given.filter((text: string) => /already claimed by (Alice|Bob)/.test(text));
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);

    const winner = (await visitor.conversation()).ticket?.agent_name as string;
    expect(['Alice', 'Bob']).toContain(winner);
    const winnerUser = winner === 'Alice' ? ALICE : BOB;
    await botSaid(winnerUser.id, new RegExp(`connected to <b>#${ticketId}|connected to #${ticketId}`));
    await fake.waitFor(() => cardOf(ticketId)?.text?.includes('claimed by'));
    expect(cardOf(ticketId)?.text).toContain(`claimed by @${winnerUser.username}`);
    expect(buttonsOf(cardOf(ticketId))).toEqual([]);
    expect(edits()).toHaveLength(1);
    expect(lost[0]).toContain(winner);
  });

  it('relays both ways: visitor → agent DM (labelled), agent DM → visitor', async () => {
    const { visitor, ticketId } = await newTicket('Where is my parcel?');
    await claim(ALICE, ticketId);
    const connected = dmTexts(ALICE).find(
      (t: string) => t.includes(`#${ticketId}`) && t.includes('connected'),
    );
    expect(connected).toContain('Where is my parcel?');

    await visitor.say('It was due Monday <3');
    await botSaid(ALICE.id, /due Monday &lt;3|due Monday <3/);
    expect(dmTexts(ALICE).at(-1)).toMatch(new RegExp(`#${ticketId}`));

    fake.sendText({ from: ALICE.id, text: 'Let me check that for you.' });
    const reply = await eventually(async () =>
      (await visitor.messages('agent')).find((m) => m.body === 'Let me check that for you.'),
    );
    expect(reply.agent_name).toBe('Alice');
  });

  it('routes a reply to the ticket of the message replied to, across two active tickets', async () => {
    const first = await newTicket('First visitor here');
    const second = await newTicket('Second visitor here');
    await claim(BOB, first.ticketId);
    await claim(BOB, second.ticketId); // now the active one
    await first.visitor.say('first: still there?');
    const relayed = (await botSaid(BOB.id, /first: still there\?/)) as Sent;
    await linkedToTicket(app.orm, BOB.id, relayed.message_id);

    fake.sendText({ from: BOB.id, text: 'Yes, for the first visitor', replyTo: relayed.message_id });
    await eventually(async () =>
      (await first.visitor.messages('agent')).some((m) => m.body === 'Yes, for the first visitor'),
    );
    fake.sendText({ from: BOB.id, text: 'plain follow-up' });
    // A reply makes its ticket the active one: the plain message follows it.
    await eventually(async () =>
      (await first.visitor.messages('agent')).some((m) => m.body === 'plain follow-up'),
    );
    expect((await second.visitor.messages('agent')).map((m) => m.body)).toEqual([]);
  });

  it('routes by stored message ids: a reply to the agent’s own earlier message answers its ticket', async () => {
    expect(app.telegram?.ticketThreads).toBe('single');
    const first = await newTicket('ids first');
    const second = await newTicket('ids second');
    await claim(BOB, first.ticketId);
    fake.sendText({ from: BOB.id, text: 'my answer carries no ticket label' });
    await eventually(async () =>
      (await first.visitor.messages('agent')).some((m) => m.body === 'my answer carries no ticket label'),
    );
    const own = fake
      .messages(BOB.id)
      .findLast((m: Sent) => m.text === 'my answer carries no ticket label') as Sent;
    await claim(BOB, second.ticketId); // now the active one
    fake.sendText({ from: BOB.id, text: 'follow-up to my own answer', replyTo: own.message_id });
    await eventually(async () =>
      (await first.visitor.messages('agent')).some((m) => m.body === 'follow-up to my own answer'),
    );
    expect((await second.visitor.messages('agent')).map((m) => m.body)).toEqual([]);
  });

  it('refuses a reply to a message of no known ticket rather than send it to the active ticket', async () => {
    const first = await newTicket('unlinked first');
    const second = await newTicket('unlinked second');
    await claim(BOB, first.ticketId);
    await first.visitor.say('first: an old question');
    const relayed = (await botSaid(BOB.id, /first: an old question/)) as Sent;
    await linkedToTicket(app.orm, BOB.id, relayed.message_id);
    // As if its link had never been recorded (a copy sent just before a crash), or its ticket erased.
    await app.orm.em
      .getConnection()
      .execute('delete from telegram_messages where chat_id = ? and tg_message_id = ?', [
        BOB.id,
        relayed.message_id,
      ]);
    await claim(BOB, second.ticketId); // now the active one
    fake.sendText({ from: BOB.id, text: 'meant for the first visitor', replyTo: relayed.message_id });
    const refusal = (await botSaid(
      BOB.id,
      /can’t tell which ticket the message you replied to is about/,
    )) as Sent;
    expect(refusal.reply_markup).toBeDefined();
    fake.sendText({ from: BOB.id, text: 'plain, to the active one' });
    await eventually(async () =>
      (await second.visitor.messages('agent')).some((m) => m.body === 'plain, to the active one'),
    );
    expect((await second.visitor.messages('agent')).map((m) => m.body)).toEqual(['plain, to the active one']);
    expect((await first.visitor.messages('agent')).map((m) => m.body)).toEqual([]);
  });

  it('/tickets switches the active ticket; without one the bot explains and offers the switcher', async () => {
    const one = await newTicket('switch one');
    const two = await newTicket('switch two');
    await claim(ALICE, one.ticketId);
    await claim(ALICE, two.ticketId);
    fake.sendText({ from: ALICE.id, text: '/tickets' });
    const menu = (await botSaid(ALICE.id, /Your open tickets/)) as Sent;
    expect(buttonsOf(menu).some((text) => text.startsWith('▶') && text.includes(`#${two.ticketId}`))).toBe(
      true,
    );
    const target = buttonsOf(menu).find((text) => text.includes(`#${one.ticketId}`)) as string;
    fake.clickButton({ from: ALICE.id, chatId: ALICE.id, messageId: menu.message_id, text: target });
    const note = (await botSaid(ALICE.id, new RegExp(`Now answering #${one.ticketId}`))) as Sent;
    await one.visitor.say('unread one');
    await one.visitor.say('unread two');
    await botSaid(ALICE.id, /unread two/);
    fake.sendText({ from: ALICE.id, text: '/tickets' });
    const refreshed = (await fake.waitFor(() =>
      fake
        .sentTo(ALICE.id)
        .filter((m: Sent) => m.text?.startsWith('Your open tickets'))
        .at(1),
    )) as Sent;
    // Unread: visitor messages since the agent last answered (none yet: all three).
    expect(buttonsOf(refreshed)).toContain(`▶ #${one.ticketId} (3 new)`);
    fake.sendText({ from: ALICE.id, text: 'answer after switching' });
    await eventually(async () =>
      (await one.visitor.messages('agent')).some((m) => m.body === 'answer after switching'),
    );
    // The "Now answering" note belongs to its ticket: a reply to it answers that one, whichever is active.
    const other = buttonsOf(refreshed).find((text) => text.includes(`#${two.ticketId}`)) as string;
    fake.clickButton({ from: ALICE.id, chatId: ALICE.id, messageId: refreshed.message_id, text: other });
    await botSaid(ALICE.id, new RegExp(`Now answering #${two.ticketId}`));
    await linkedToTicket(app.orm, ALICE.id, note.message_id);
    fake.sendText({ from: ALICE.id, text: 'a reply to the note', replyTo: note.message_id });
    await eventually(async () =>
      (await one.visitor.messages('agent')).some((m) => m.body === 'a reply to the note'),
    );
    expect((await two.visitor.messages('agent')).map((m) => m.body)).toEqual([]);

    // Eve is not in the support group: the bot refuses her.
    fake.sendText({ from: EVE.id, text: 'hello?' });
    await botSaid(EVE.id, /only members of the support group/);
  });

  it('pass is recorded and shown on the card; the ticket stays in the queue', async () => {
    const { ticketId, card } = await newTicket('Nobody wants me');
    fake.clickButton({ from: BOB.id, chatId: GROUP, messageId: card.message_id, text: '↩️ Pass' });
    await fake.waitFor(() => cardOf(ticketId)?.text?.includes('Passed by Bob'));
    expect(buttonsOf(cardOf(ticketId))).toEqual(['✅ Claim', '↩️ Pass']);
    expect(answers().some((text: string) => text.includes(`passed on #${ticketId}`))).toBe(true);
    fake.sendText({ from: BOB.id, text: '/queue' });
    const queue = (await botSaid(BOB.id, /Waiting for an agent/)) as Sent;
    expect(queue.text).toContain(`#${ticketId}`);
    expect(queue.text).toContain('passed ×1');
  });

  it('close with a note: the visitor gets the note and a system message, the card shows closed', async () => {
    const { visitor, ticketId } = await newTicket('Please close me nicely');
    await claim(ALICE, ticketId);
    fake.sendText({ from: ALICE.id, text: '/close' });
    await botSaid(ALICE.id, new RegExp(`Closing #${ticketId}`));
    fake.sendText({ from: ALICE.id, text: 'Thanks for reaching out, have a nice day!' });
    await botSaid(ALICE.id, new RegExp(`#${ticketId} is closed`));
    const messages = await visitor.messages();
    expect(messages.slice(-2).map((m) => [m.sender, m.body])).toEqual([
      ['agent', 'Thanks for reaching out, have a nice day!'],
      ['system', 'Conversation closed by Alice'],
    ]);
    expect((await visitor.conversation()).ticket?.status).toBe('closed');
    await fake.waitFor(() => cardOf(ticketId)?.text?.includes('closed'));
    await visitor.http.post(`/api/tickets/${ticketId}/rating`, {
      token: visitor.token,
      json: { rating: 5, comment: 'Great <3' },
    });
    await fake.waitFor(() => cardOf(ticketId)?.text?.includes('★★★★★ — “Great <3”'));

    // A stale Claim button (an old /queue message) is answered with the ticket's real state.
    fake.sendCallbackQuery({ from: BOB.id, chatId: BOB.id, messageId: 1, data: `claim:${ticketId}` });
    await fake.waitFor(() => answers().some((text: string) => text === `Ticket #${ticketId} is closed`));
  });

  it('after hours: reminds the group under the card, asks the visitor for contact, shows it on the card', async () => {
    const { visitor, ticketId, card } = await newTicket('Anyone awake?');
    const reminder = (await fake.waitFor(
      () => fake.sentTo(GROUP).find((m: Sent) => m.text?.startsWith('⏰') && m.text.includes(`#${ticketId}`)),
      { timeoutMs: 15_000 },
    )) as Sent & { reply_to_message?: { message_id: number } };
    expect(reminder.reply_to_message?.message_id).toBe(card.message_id);
    await eventually(async () => (await visitor.conversation()).ticket?.contact_requested);
    expect((await visitor.messages('system')).at(-1)?.body).toMatch(/email or phone/);

    const saved = await visitor.http.post(`/api/session/${visitor.sessionId}/contact`, {
      token: visitor.token,
      json: { email: 'visitor@example.com' },
    });
    expect(saved.status).toBe(200);
    await fake.waitFor(() => cardOf(ticketId)?.text?.includes('visitor@example.com'));
  });

  it('media both ways: an agent photo reaches the visitor; a visitor upload reaches the agent', async () => {
    const { visitor, ticketId } = await newTicket('I will send a screenshot');
    await claim(BOB, ticketId);
    const photo = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    fake.sendPhoto({ from: BOB.id, caption: 'Like this?', bytes: photo });
    const fromAgent = await eventually(async () =>
      (await visitor.messages('agent')).find((m) => m.media_url),
    );
    expect(fromAgent.body).toBe('Like this?');
    const download = await fetch(`${app.url}${fromAgent.media_url}`, {
      headers: { authorization: `Bearer ${visitor.token}` },
    });
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(photo);
    const stranger = await newVisitor(app.url);
    const denied = await fetch(`${app.url}${fromAgent.media_url}`, {
      headers: { authorization: `Bearer ${stranger.token}` },
    });
    expect(denied.status).toBe(404);

    const form = new FormData();
    form.append('file', new Blob([Buffer.from('%PDF-1.4 test')], { type: 'application/pdf' }), 'invoice.pdf');
    form.append('body', 'Here is the invoice');
    const upload = await fetch(`${app.url}/api/session/${visitor.sessionId}/media`, {
      method: 'POST',
      headers: { authorization: `Bearer ${visitor.token}` },
      body: form,
    });
    expect(upload.status).toBe(201);
    const call = await fake.waitFor(() =>
      fake
        .callsOf('sendDocument')
        .find((c: { params: { chat_id: unknown } }) => Number(c.params.chat_id) === BOB.id),
    );
    expect(JSON.stringify(call.params)).toContain('Here is the invoice');

    const bad = new FormData();
    bad.append('file', new Blob(['MZ'], { type: 'application/x-msdownload' }), 'virus.exe');
    const refused = await fetch(`${app.url}/api/session/${visitor.sessionId}/media`, {
      method: 'POST',
      headers: { authorization: `Bearer ${visitor.token}` },
      body: bad,
    });
    expect(refused.status).toBe(400);
  });

  it('Telegram failing (5xx) for a while: everything arrives after recovery, in order, once', async () => {
    const { visitor, ticketId } = await newTicket('Outage test');
    await claim(ALICE, ticketId);
    fake.fail({ status: 502, untilMs: Date.now() + 4000 });
    const bodies = ['outage 1', 'outage 2', 'outage 3', 'outage 4'];
    for (const body of bodies) await visitor.say(body);
    await fake.waitFor(() => dmTexts(ALICE).filter((t: string) => t.includes('outage ')).length >= 4, {
      timeoutMs: 40_000,
    });
    const delivered = dmTexts(ALICE)
      .filter((t: string) => t.includes('outage '))
      .map((t: string) => t.split('\n').at(-1));
    expect(delivered).toEqual(bodies);
    expect(fake.calls.some((c: { status: number }) => c.status === 502)).toBe(true);
  }, 60_000);

  it('429 with retry_after is respected', async () => {
    const { visitor, ticketId } = await newTicket('Burst test');
    await claim(BOB, ticketId);
    fake.enforceLimits(true);
    try {
      const bodies = Array.from({ length: 6 }, (_, i) => `burst ${i + 1}`);
      for (const body of bodies) await visitor.say(body);
      await fake.waitFor(() => dmTexts(BOB).filter((t: string) => t.includes('burst ')).length >= 6, {
        timeoutMs: 40_000,
      });
      expect(
        dmTexts(BOB)
          .filter((t: string) => t.includes('burst '))
          .map((t: string) => t.split('\n').at(-1)),
      ).toEqual(bodies);
      // After any 429 for Bob's chat, the next call to it waited at least retry_after.
      const toBob = fake.calls.filter(
        (c: { params: { chat_id?: unknown } }) => Number(c.params.chat_id) === BOB.id,
      );
      expect(toBob.some((call: { status: number }) => call.status === 429)).toBe(true);
      toBob.forEach((call: { status: number; at: number; retryAfter?: number }, index: number) => {
        const next = toBob[index + 1] as { at: number } | undefined;
        if (call.status === 429 && next)
          expect(next.at - call.at).toBeGreaterThanOrEqual((call.retryAfter ?? 1) * 1000 - 50);
      });
    } finally {
      fake.enforceLimits(false);
    }
  }, 60_000);

  it('the same update_id delivered twice is handled once', async () => {
    const { visitor, ticketId } = await newTicket('Duplicate test');
    await claim(ALICE, ticketId);
    const update = fake.sendText({ from: ALICE.id, text: 'only once please' });
    await eventually(async () =>
      (await visitor.messages('agent')).some((m) => m.body === 'only once please'),
    );
    const deliveries = () =>
      mode === 'webhook'
        ? fake.webhookDeliveries.filter(
            (d: { updateId: number; status: number }) => d.updateId === update.update_id && d.status === 200,
          ).length
        : fake
            .callsOf('getUpdates')
            .filter((c) =>
              (c.result as { update_id: number }[] | undefined)?.some(
                (u) => u.update_id === update.update_id,
              ),
            ).length;
    fake.redeliver(update.update_id);
    await fake.waitFor(() => deliveries() >= 2, { timeoutMs: 20_000 });
    fake.sendText({ from: ALICE.id, text: 'after the duplicate' });
    await eventually(async () =>
      (await visitor.messages('agent')).some((m) => m.body === 'after the duplicate'),
    );
    expect((await visitor.messages('agent')).filter((m) => m.body === 'only once please')).toHaveLength(1);
  });

  it('a pending close prompt does not swallow the agent’s clicks in the group', async () => {
    const first = await newTicket('close me later');
    await claim(ALICE, first.ticketId);
    fake.sendText({ from: ALICE.id, text: '/close' });
    await botSaid(ALICE.id, new RegExp(`Closing #${first.ticketId}`));
    const second = await newTicket('claim me meanwhile');
    fake.clickButton({ from: ALICE.id, chatId: GROUP, messageId: second.card.message_id, text: '✅ Claim' });
    await eventually(async () => (await second.visitor.conversation()).ticket?.agent_name === 'Alice');
    expect((await first.visitor.conversation()).ticket?.status).toBe('claimed');
    fake.sendText({ from: ALICE.id, text: 'Bye!' });
    await eventually(async () => (await first.visitor.conversation()).ticket?.status === 'closed');
  });

  it('/setup in another group is refused without a fresh setup code, even from that group’s admin', async () => {
    const OTHER = -1009999;
    fake.addGroup({ id: OTHER, title: 'Somebody else' });
    fake.setChatMember(OTHER, EVE.id, 'creator');
    fake.sendText({ from: EVE.id, chatId: OTHER, text: '/setup' });
    await botSaid(OTHER, /send \/setup followed by the setup code/);
    fake.sendText({ from: EVE.id, chatId: OTHER, text: '/setup 2222-3333-4444-5555' });
    await botSaid(OTHER, /setup code is not valid/);
    const { ticketId } = await newTicket('still in the right group');
    expect(cardOf(ticketId)).toBeDefined();
  });

  if (mode === 'webhook') {
    it('the webhook refuses requests without the right secret (403) and handles none of them', async () => {
      const { visitor, ticketId } = await newTicket('Forged webhook test');
      await claim(BOB, ticketId);
      const forged = {
        update_id: 999_999,
        message: {
          message_id: 1,
          date: 0,
          chat: { id: BOB.id, type: 'private' },
          from: { id: BOB.id, is_bot: false, first_name: 'Bob' },
          text: 'forged',
        },
      };
      for (const headers of [{}, { 'x-telegram-bot-api-secret-token': 'wrong-secret-0123456' }] as Record<
        string,
        string
      >[]) {
        const response = await fetch(`${app.url}/api/telegram/webhook`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(forged),
        });
        expect(response.status).toBe(403);
        expect((await response.json()).error.code).toBe('forbidden');
      }
      expect((await visitor.messages('agent')).map((m) => m.body)).not.toContain('forged');
    });

    it('POST /api/setup/telegram-webhook needs the admin token and calls setWebhook with the secret', async () => {
      const url = '/api/setup/telegram-webhook?webhook_url=https://support.example.com/api/telegram/webhook';
      expect((await fetch(`${app.url}${url}`, { method: 'POST' })).status).toBe(401);
      const ok = await fetch(`${app.url}${url}`, {
        method: 'POST',
        headers: { authorization: 'Bearer admin-token-0123456789' },
      });
      expect(ok.status).toBe(200);
      const call = fake.callsOf('setWebhook').at(-1) as { params: Record<string, unknown> };
      expect(call.params.url).toBe('https://support.example.com/api/telegram/webhook');
      expect(call.params.secret_token).toBe(WEBHOOK_SECRET);
      expect(call.params.allowed_updates).toEqual([
        'message',
        'edited_message',
        'callback_query',
        'my_chat_member',
        'message_reaction',
        'inline_query',
      ]);
      // Back to this server for the remaining tests.
      await app.telegram?.setWebhook(`${app.url}/api/telegram/webhook`);
    });
  }
});
