import type { Services } from '../core/services.ts';
import type { BotContext } from './context.ts';

type ReplyOptions = Parameters<BotContext['reply']>[1];

/**
 * Answers with a message about ticket `ticketId`, recorded as one of the ticket's Telegram messages: a
 * reply to it then goes to that ticket, as a reply to any of its messages does (bot/ticket-routing.ts,
 * which refuses a reply to a message of no recorded ticket). The record is a convenience: when it fails
 * (the database is away) the answer stands, logged, rather than the update failing and its work being
 * done again; a reply to that answer is then refused.
 */
export async function replyAboutTicket(
  services: Pick<Services, 'telegramLinks'>,
  ctx: BotContext,
  ticketId: number,
  text: string,
  options?: ReplyOptions,
) {
  const sent = await ctx.reply(text, options);
  await services.telegramLinks
    .record({
      ticketId,
      chatId: sent.chat.id,
      threadId: sent.message_thread_id ?? null,
      tgMessageId: sent.message_id,
      role: 'notice',
    })
    .catch((error: unknown) =>
      ctx.log.warn({ err: error, ticketId }, 'an answer about a ticket could not be recorded as its'),
    );
  return sent;
}
