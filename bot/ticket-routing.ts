import type { Services } from '../core/services.ts';
import type { BotContext } from './context.ts';
import type { TicketThreadMode } from './ticket-threads.ts';

/** The ticket an agent's message is for, or why there is none (for the agent). */
export type RoutedMessage =
  | { ticketId: number; via: 'topic' | 'reply' | 'active' }
  | { ticketId: null; why: string; offerSwitcher: boolean };

/**
 * Which ticket an agent's message in their chat with the bot belongs to, by stored ids only: the topic it
 * was written in, else the ticket's message it replies to, else (single mode) the agent's active ticket.
 * A reply to a message of no known ticket is refused rather than taken for the active ticket: it may show
 * another visitor's conversation (one erased since, or a copy whose link was never recorded), and the
 * agent's words must not reach the wrong visitor.
 */
export function createTicketRouting({ services, mode }: { services: Services; mode: TicketThreadMode }) {
  return async function ticketOf(ctx: BotContext, agentId: number): Promise<RoutedMessage> {
    const message = ctx.msg;
    const chatId = ctx.chat?.id;
    if (!message || chatId === undefined)
      return { ticketId: null, why: 'No ticket here.', offerSwitcher: false };
    if (message.is_topic_message && message.message_thread_id) {
      const thread = await services.telegramLinks.threadByTopic(chatId, message.message_thread_id);
      if (thread) return { ticketId: thread.ticketId, via: 'topic' };
      return {
        ticketId: null,
        why: 'This topic is not a ticket. Write in a ticket’s topic to answer it; /queue shows the waiting ones.',
        offerSwitcher: false,
      };
    }
    const repliedTo = message.reply_to_message;
    if (repliedTo) {
      const ticketId = await services.telegramLinks.ticketOfMessage(chatId, repliedTo.message_id);
      if (ticketId) return { ticketId, via: 'reply' };
      if (mode === 'single')
        return {
          ticketId: null,
          why:
            'I can’t tell which ticket the message you replied to is about, so nothing was done. ' +
            'Write without replying to use your active ticket, or reply to a message of the ticket you mean.',
          offerSwitcher: true,
        };
    }
    if (mode === 'single') {
      const agent = await services.agents.get(agentId);
      if (agent.activeTicket) return { ticketId: agent.activeTicket.id, via: 'active' };
      return {
        ticketId: null,
        why: 'You have no active ticket. Pick one with /tickets, or claim one from /queue.',
        offerSwitcher: true,
      };
    }
    return {
      ticketId: null,
      why:
        mode === 'group-topics'
          ? 'Tickets are topics of the support group: answer in the ticket’s topic there. /tickets lists yours.'
          : 'Each ticket you claim has its own topic here: write in it to answer, or reply to one of its messages. /tickets lists yours.',
      offerSwitcher: false,
    };
  };
}

export type TicketRouting = ReturnType<typeof createTicketRouting>;

/**
 * Which ticket a team member's message in the support group is about, by stored ids: the ticket's topic it
 * is written in (group-topics mode), else the ticket's message it replies to (its card, a relayed message);
 * null when neither.
 */
export async function ticketOfGroupMessage(services: Services, ctx: BotContext): Promise<number | null> {
  const message = ctx.msg;
  const chatId = ctx.chat?.id;
  if (!message || chatId === undefined) return null;
  if (message.is_topic_message && message.message_thread_id) {
    const thread = await services.telegramLinks.threadByTopic(chatId, message.message_thread_id);
    if (thread) return thread.ticketId;
  }
  const repliedTo = message.reply_to_message;
  if (repliedTo && !repliedTo.forum_topic_created) {
    return services.telegramLinks.ticketOfMessage(chatId, repliedTo.message_id);
  }
  return null;
}
