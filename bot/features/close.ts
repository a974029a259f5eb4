import type { Conversation } from '@grammyjs/conversations';
import { Composer, type Context, InlineKeyboard } from 'grammy';
import { DomainError } from '../../core/errors.ts';
import { type BotContext, html } from '../context.ts';
import type { BotDeps } from '../deps.ts';
import { escapeHtml } from '../render/html.ts';
import { truncate } from '../render/telegram-text.ts';
import { telegramOrigin } from '../telegram-origin.ts';
import { parseTicketId } from '../ticket-id.ts';
import type { TicketRouting } from '../ticket-routing.ts';

export const CLOSE_CONVERSATION = 'close-ticket';
const SKIP = 'close-note:skip';
const CANCEL = 'close-note:cancel';

/**
 * Closing with an optional note for the visitor, as a conversation (its state lives in the database,
 * keyed by the agent's user id): ask → note or Skip / Cancel → close through core.
 */
export function closeTicketConversation({ services }: Pick<BotDeps, 'services'>) {
  return async function closeTicket(
    conversation: Conversation<BotContext, Context>,
    ctx: Context,
    ticketId: number,
    agentId: number,
  ) {
    await ctx.reply(`Closing #${ticketId}. Send a closing note for the visitor, or tap Skip.`, {
      reply_markup: new InlineKeyboard().text('Skip', SKIP).text('Cancel', CANCEL),
    });
    // Only a text in this chat — in the prompt's topic, where tickets have topics — or this prompt's own
    // buttons answer it; anything else (another ticket's topic) passes on to the bot.
    const topic = ctx.msg?.is_topic_message ? ctx.msg.message_thread_id : undefined;
    const answer = await conversation.waitFor(['message:text', 'callback_query:data']).and(
      (c) =>
        c.chat?.type === 'private' &&
        (c.callbackQuery
          ? [SKIP, CANCEL].includes(c.callbackQuery.data ?? '')
          : (c.msg?.is_topic_message ? c.msg.message_thread_id : undefined) === topic),
      // What does not answer the prompt is handled as if no prompt were waiting (not swallowed).
      { next: true },
    );
    if (answer.callbackQuery) await answer.answerCallbackQuery();
    const text = answer.message?.text;
    if (answer.callbackQuery?.data === CANCEL || text?.startsWith('/')) {
      await ctx.reply(`#${ticketId} stays open.`);
      return;
    }
    const note = answer.callbackQuery ? undefined : text;
    // The note is stored with its Telegram message id: if this update is delivered again after the
    // conversation ended (a crash before it was recorded as handled), the relay finds the note stored and
    // does not send it on to the agent's active ticket, which may be another visitor's.
    const noteTelegram = note === undefined || !answer.message ? undefined : telegramOrigin(answer.message);
    const outcome = await conversation.external(() =>
      services.tickets.close(ticketId, { kind: 'agent', agentId, note, noteTelegram }).then(
        () => null,
        (error: unknown) => (error instanceof DomainError ? error.message : Promise.reject(error)),
      ),
    );
    await ctx.reply(
      outcome ? escapeHtml(outcome) : `☑️ #${ticketId} is closed.${note ? ' Your note was sent.' : ''}`,
      html,
    );
  };
}

/**
 * `/close` (the ticket of the topic it is sent in, or of the message it replies to, or the active ticket;
 * or `/close 12`) and the “✖ Close #12” button start the close conversation.
 */
export function closeFeature({ services }: Pick<BotDeps, 'services'>, ticketOf: TicketRouting) {
  const feature = new Composer<BotContext>();
  const agentOf = (ctx: BotContext) => ctx.agent as NonNullable<BotContext['agent']>;

  /** Why the agent cannot close this ticket (asked before prompting for a note), or null. */
  const whyNotClosable = async (ticketId: number, agentId: number) => {
    // An unknown ticket throws NotFound, which the bot answers ("Ticket not found").
    const ticket = await services.agentConsole.ticketView(ticketId, agentId);
    if (ticket.status === 'closed') return `#${ticketId} is already closed.`;
    if (ticket.agent_name && !ticket.mine) return `#${ticketId} is ${ticket.agent_name}’s ticket.`;
    return null;
  };

  feature.command('close', async (ctx) => {
    const agentId = agentOf(ctx).id;
    const argument = ctx.match.trim();
    if (argument && !parseTicketId(argument)) {
      await ctx.reply(
        `“${truncate(argument, 20)}” is not a ticket number. Send /close 12 to close #12, ` +
          'or /close alone in a ticket’s topic (or for your active ticket).',
      );
      return;
    }
    const routed = argument ? null : await ticketOf(ctx, agentId);
    const ticketId = argument ? parseTicketId(argument) : routed?.ticketId;
    if (!ticketId) {
      await ctx.reply(
        `Which ticket? Send /close 12 to close #12. ${routed?.ticketId === null ? routed.why : ''}`.trim(),
      );
      return;
    }
    const refusal = await whyNotClosable(ticketId, agentId);
    if (refusal) {
      await ctx.reply(refusal);
      return;
    }
    await ctx.conversation.enter(CLOSE_CONVERSATION, ticketId, agentId);
  });

  feature.callbackQuery(/^close:(.*)$/, async (ctx) => {
    const ticketId = parseTicketId(ctx.match[1] ?? '');
    const refusal = ticketId
      ? await whyNotClosable(ticketId, agentOf(ctx).id)
      : 'This button is no longer active.';
    await ctx.answerCallbackQuery(refusal ? { text: refusal } : undefined);
    if (ticketId && !refusal) await ctx.conversation.enter(CLOSE_CONVERSATION, ticketId, agentOf(ctx).id);
  });

  return feature;
}
