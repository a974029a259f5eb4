import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKind } from './support/database.ts';
import { ALICE, BOB, desk, textOf, WAIT } from './support/telegram-desk.ts';
import { eventually } from './support/visitor.ts';

describe(`ASSIGNMENT=auto through Telegram (${databaseKind})`, () => {
  const d = desk({
    mode: 'polling',
    forumGroup: false,
    env: { ASSIGNMENT: 'auto', OFFER_SECONDS: '5', MAX_OPEN_TICKETS_PER_AGENT: '5' },
  });
  beforeAll(async () => {
    await d.start();
    for (const agent of [ALICE, BOB]) {
      d.ctx.fake.sendText({ from: agent.id, text: '/online' });
      await d.ctx.fake.waitFor(
        () => d.ctx.fake.sentTo(agent.id).find((m) => /online/i.test(textOf(m)) && /You/.test(textOf(m))),
        WAIT,
      );
    }
  }, 60_000);
  afterAll(d.stop);

  /** The offer of ticket `ticketId` in the agent's chat, once it arrives. */
  const offerTo = (agentId: number, ticketId: number) =>
    d.ctx.fake.waitFor(
      () =>
        d.ctx.fake
          .messages(agentId)
          .find((m) => m.from?.is_bot && new RegExp(`#${ticketId}\\b.*offered to you`).test(textOf(m))),
      WAIT,
    );

  it('a new ticket is offered to one agent; Accept makes it theirs, with its topic and history', async () => {
    const { visitor, ticketId } = await d.newTicket('please help, auto');
    const first = await Promise.race([offerTo(ALICE.id, ticketId), offerTo(BOB.id, ticketId)]);
    const offered = first.chat.id === ALICE.id ? ALICE : BOB;
    const other = offered === ALICE ? BOB : ALICE;
    expect(textOf(first)).toContain('please help, auto');
    // The offer is recorded as one of the ticket's messages: a reply to it goes to the ticket.
    await eventually(
      async () =>
        (await d.ctx.app.count(
          `telegram_messages where chat_id = ${offered.id} and tg_message_id = ${first.message_id} and ticket_id = ${ticketId}`,
        )) === 1,
    );
    d.ctx.fake.clickButton({
      from: offered.id,
      chatId: offered.id,
      messageId: first.message_id,
      text: '✅ Accept',
    });
    await eventually(async () => (await visitor.conversation()).ticket?.agent_name === offered.first_name);
    const topic = await d.waitTopic(offered.id, ticketId);
    await d.waitInTopic(offered.id, topic.message_thread_id, /please help, auto/);
    // The offer's message says it was accepted, without buttons; the other agent was never offered it.
    await d.ctx.fake.waitFor(
      () =>
        /You accepted/.test(
          textOf(d.ctx.fake.messages(offered.id).find((m) => m.message_id === first.message_id)),
        ),
      WAIT,
    );
    expect(
      d.ctx.fake.messages(other.id).filter((m) => new RegExp(`#${ticketId}\\b.*offered`).test(textOf(m))),
    ).toEqual([]);
  });

  it('a pass goes to the next agent; no answer in time, and the ticket waits on the card for anyone', async () => {
    const { visitor, ticketId } = await d.newTicket('who takes this one?');
    const first = await Promise.race([offerTo(ALICE.id, ticketId), offerTo(BOB.id, ticketId)]);
    const offered = first.chat.id === ALICE.id ? ALICE : BOB;
    const next = offered === ALICE ? BOB : ALICE;
    d.ctx.fake.clickButton({
      from: offered.id,
      chatId: offered.id,
      messageId: first.message_id,
      text: '↩️ Pass',
    });
    const second = await offerTo(next.id, ticketId);
    // Nobody answers the second offer: it expires (OFFER_SECONDS=5) and its message says so.
    await d.ctx.fake.waitFor(
      () =>
        /not accepted in time/.test(
          textOf(d.ctx.fake.messages(next.id).find((m) => m.message_id === second.message_id)),
        ),
      WAIT,
    );
    // A late Accept is refused; the ticket is still waiting, and the card's Claim still works.
    // (a stale button, as another of the agent's devices may still show it)
    const accept = second.reply_markup?.inline_keyboard.flat().find((button) => button.text === '✅ Accept');
    d.ctx.fake.sendCallbackQuery({
      from: next.id,
      chatId: next.id,
      messageId: second.message_id,
      data: accept && 'callback_data' in accept ? String(accept.callback_data) : '',
    });
    await d.ctx.fake.waitFor(
      () => d.ctx.fake.callbackAnswers().find((a) => /offer has ended/.test(String(a.text))),
      WAIT,
    );
    expect((await visitor.conversation()).ticket?.status).toBe('open');
    await d.claim(next, { visitor, ticketId });
  });

  it('the offered agent goes offline: the offer moves to the other agent at once; back online, they get new ones', async () => {
    const { visitor, ticketId } = await d.newTicket('offline mid-offer');
    const first = await Promise.race([offerTo(ALICE.id, ticketId), offerTo(BOB.id, ticketId)]);
    const leaving = first.chat.id === ALICE.id ? ALICE : BOB;
    const staying = leaving === ALICE ? BOB : ALICE;
    d.ctx.fake.sendText({ from: leaving.id, text: '/offline' });
    await d.ctx.fake.waitFor(
      () =>
        /no longer offered/.test(
          textOf(d.ctx.fake.messages(leaving.id).find((m) => m.message_id === first.message_id)),
        ),
      WAIT,
    );
    const moved = await offerTo(staying.id, ticketId);
    d.ctx.fake.clickButton({
      from: staying.id,
      chatId: staying.id,
      messageId: moved.message_id,
      text: '✅ Accept',
    });
    await eventually(async () => (await visitor.conversation()).ticket?.agent_name === staying.first_name);
    d.ctx.fake.sendText({ from: leaving.id, text: '/online' });
    const next = await d.newTicket('for whoever is online');
    await Promise.race([offerTo(ALICE.id, next.ticketId), offerTo(BOB.id, next.ticketId)]);
  });
});
