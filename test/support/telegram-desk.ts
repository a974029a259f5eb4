import type { Message } from 'grammy/types';
import { type FakeTelegram, startFakeTelegram } from '../fake-telegram/index.ts';
import { topicLinkedToTicket } from './telegram-links.ts';
import { startTestApp, type TestApp } from './test-app.ts';
import { eventually, newVisitor, type Visitor } from './visitor.ts';

/**
 * A support desk for bot tests: the fake Telegram with a support group and two agents (Alice and Bob, who
 * have started the bot), the app in a given bot mode and ticket-threads mode, and the steps tests take.
 */
export const GROUP = -1009876543210;
export const ALICE = { id: 2001, first_name: 'Alice', username: 'alice' };
export const BOB = { id: 2002, first_name: 'Bob', username: 'bob' };
export const WAIT = { timeoutMs: 15_000 };

export const textOf = (message: Message | undefined) => message?.text ?? message?.caption ?? '';

/** The fake, the app and the helpers the tests use. */
export function desk(options: {
  mode: 'polling' | 'webhook';
  ticketThreads?: string;
  forumGroup: boolean;
  /** More configuration for the app. */
  env?: Record<string, string>;
}) {
  const ctx = {} as { fake: FakeTelegram; app: TestApp };

  const start = async () => {
    ctx.fake = await startFakeTelegram({ topicsInPrivateChats: !options.forumGroup });
    ctx.fake.addGroup({
      id: GROUP,
      title: 'Support',
      botStatus: 'administrator',
      isForum: options.forumGroup,
    });
    for (const user of [ALICE, BOB]) {
      ctx.fake.addUser(user);
      ctx.fake.setChatMember(GROUP, user.id, 'member');
    }
    ctx.app = await startTestApp({
      TELEGRAM_BOT_TOKEN: ctx.fake.token,
      TELEGRAM_API_ROOT: ctx.fake.apiRoot,
      BOT_MODE: options.mode,
      WEBHOOK_SECRET: 'webhook-secret-0123456789',
      SUPPORT_GROUP_CHAT_ID: String(GROUP),
      RATE_LIMIT_MESSAGES: '100',
      TELEGRAM_THROTTLE: 'false',
      ...(options.ticketThreads ? { TICKET_THREADS: options.ticketThreads } : {}),
      ...options.env,
    });
    if (options.mode === 'webhook') await ctx.app.telegram?.setWebhook(`${ctx.app.url}/api/telegram/webhook`);
    for (const agent of [ALICE, BOB]) {
      ctx.fake.sendText({ from: agent.id, text: '/start' });
      await ctx.fake.waitFor(() => ctx.fake.sentTo(agent.id).length > 0, WAIT);
    }
  };

  const stop = async () => {
    await ctx.app?.close();
    await ctx.fake?.close();
  };

  /** The topic of a chat whose name starts with "#id ·" (or "✅ #id ·"). */
  const topicOf = (chatId: number, ticketId: number) =>
    ctx.fake.topics(chatId).find((topic) => new RegExp(`^(✅ )?#${ticketId} ·`).test(topic.name));
  /** A ticket's topic once the bot recorded it as the ticket's (an agent writes in it after that). */
  const waitTopic = async (chatId: number, ticketId: number) => {
    const topic = await ctx.fake.waitFor(() => topicOf(chatId, ticketId), WAIT);
    await topicLinkedToTicket(ctx.app.orm, chatId, topic.message_thread_id);
    return topic;
  };
  /** The bot's messages in a topic. */
  const inTopic = (chatId: number, threadId: number) =>
    ctx.fake.messagesInThread(chatId, threadId).filter((m) => m.from?.is_bot && !m.forum_topic_created);
  const waitInTopic = (chatId: number, threadId: number, pattern: RegExp) =>
    ctx.fake.waitFor(() => inTopic(chatId, threadId).find((m) => pattern.test(textOf(m))), WAIT);
  const agentLines = async (visitor: Visitor) => (await visitor.messages('agent')).map((m) => m.body);

  const newTicket = async (body: string, details: { locale?: string; category?: string } = {}) => {
    const visitor = await newVisitor(ctx.app.url, { locale: details.locale });
    const sent = await visitor.say(body, details.category);
    return { visitor, ticketId: sent.ticket.id };
  };

  /** Presses ✅ Claim on the ticket's card (wherever the group shows it). */
  const claim = async (
    agent: { id: number },
    { visitor, ticketId }: { visitor: Visitor; ticketId: number },
  ) => {
    const card = await ctx.fake.waitFor(
      () =>
        ctx.fake
          .messages(GROUP)
          .find((m) => m.from?.is_bot && textOf(m).includes(`#${ticketId}`) && m.reply_markup),
      WAIT,
    );
    ctx.fake.clickButton({ from: agent.id, chatId: GROUP, messageId: card.message_id, text: '✅ Claim' });
    await eventually(async () => (await visitor.conversation()).ticket?.status === 'claimed');
  };

  return { ctx, start, stop, topicOf, waitTopic, inTopic, waitInTopic, agentLines, newTicket, claim };
}
