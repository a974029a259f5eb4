import type { Message } from 'grammy/types';
import { type FakeTelegram, startFakeTelegram } from '../fake-telegram/index.ts';
import { httpClient } from './http.ts';
import { signInitData, tma } from './init-data.ts';
import { agentsStartTheBot } from './support-group.ts';
import { ALICE, BOB, GROUP, textOf, WAIT } from './telegram-desk.ts';
import { topicLinkedToTicket } from './telegram-links.ts';
import { startTestApp, type TestApp } from './test-app.ts';
import { eventually, newVisitor } from './visitor.ts';

export type ThreadMode = 'private-topics' | 'group-topics' | 'single';
type FakeUser = { id: number; first_name: string; username?: string };

/**
 * A desk in one TICKET_THREADS mode, driven by the group's card and the API: the fake with a support group
 * (a forum in group-topics) where Alice and Bob are agents who started the bot (`strangers`: users outside
 * the group), and the steps tests take in a ticket's thread.
 */
export function threadDesk(
  mode: ThreadMode,
  { env = {}, strangers = [] }: { env?: Record<string, string>; strangers?: FakeUser[] } = {},
) {
  const d = {} as { fake: FakeTelegram; app: TestApp; http: ReturnType<typeof httpClient> };
  const start = async () => {
    d.fake = await startFakeTelegram({ topicsInPrivateChats: mode === 'private-topics' });
    d.fake.addGroup({
      id: GROUP,
      title: 'Support',
      botStatus: 'administrator',
      isForum: mode === 'group-topics',
    });
    for (const user of [ALICE, BOB, ...strangers]) d.fake.addUser(user);
    for (const user of [ALICE, BOB]) d.fake.setChatMember(GROUP, user.id, 'member');
    d.app = await startTestApp({
      TELEGRAM_BOT_TOKEN: d.fake.token,
      TELEGRAM_API_ROOT: d.fake.apiRoot,
      SUPPORT_GROUP_CHAT_ID: String(GROUP),
      TELEGRAM_THROTTLE: 'false',
      RATE_LIMIT_MESSAGES: '100',
      TICKET_THREADS: mode,
      ...env,
    });
    d.http = httpClient(d.app.url);
    await agentsStartTheBot(d.fake, [ALICE, BOB]);
  };
  const stop = async () => {
    await d.app?.close();
    await d.fake?.close();
  };
  const api = (user: { id: number; first_name: string }, method: string, path: string, json?: unknown) =>
    d.http.request(method, path, { headers: tma(signInitData(d.fake.token, user)), json });

  const cardOf = (ticketId: number) =>
    d.fake.waitFor(
      () =>
        d.fake
          .messages(GROUP)
          .find((m) => m.from?.is_bot && textOf(m).includes(`#${ticketId}`) && m.reply_markup),
      WAIT,
    );
  const newTicket = async (body: string) => {
    const visitor = await newVisitor(d.app.url);
    const { ticket } = await visitor.say(body);
    const card = await cardOf(ticket.id);
    return { visitor, ticketId: ticket.id, card };
  };
  const claim = async (agent: { id: number }, ticket: Awaited<ReturnType<typeof newTicket>>) => {
    d.fake.clickButton({
      from: agent.id,
      chatId: GROUP,
      messageId: ticket.card.message_id,
      text: '✅ Claim',
    });
    await eventually(async () => (await ticket.visitor.conversation()).ticket?.status === 'claimed');
  };
  /**
   * Where the agent's conversation of the ticket is: chat and topic (once the bot recorded the topic as
   * the ticket's: an agent writes in it after that).
   */
  const placeOf = async (agent: { id: number }, ticketId: number) => {
    if (mode === 'single') return { chatId: agent.id, threadId: undefined };
    const chatId = mode === 'group-topics' ? GROUP : agent.id;
    const topic = await d.fake.waitFor(
      () => d.fake.topics(chatId).find((t) => t.name.startsWith(`#${ticketId} ·`)),
      WAIT,
    );
    await topicLinkedToTicket(d.app.orm, chatId, topic.message_thread_id);
    return { chatId, threadId: topic.message_thread_id as number | undefined };
  };
  const botSaysIn = (place: { chatId: number; threadId?: number }, pattern: RegExp) =>
    d.fake.waitFor(
      () =>
        d.fake
          .messages(place.chatId)
          .find(
            (m) =>
              m.from?.is_bot &&
              (place.threadId === undefined || m.message_thread_id === place.threadId) &&
              pattern.test(textOf(m)),
          ),
      WAIT,
    );
  /** The bot's answer to a message: its reply to that very message. */
  const answerTo = (place: { chatId: number }, sent: { message?: Message }) =>
    d.fake.waitFor(
      () =>
        d.fake
          .messages(place.chatId)
          .find((m) => m.from?.is_bot && m.reply_to_message?.message_id === sent.message?.message_id),
      WAIT,
    );
  const say = async (agent: { id: number }, place: { chatId: number; threadId?: number }, text: string) => {
    const sent = d.fake.sendText({ from: agent.id, chatId: place.chatId, threadId: place.threadId, text });
    return textOf(await answerTo(place, sent));
  };
  return { d, start, stop, api, newTicket, claim, placeOf, botSaysIn, say };
}
