import type { Conversation } from '@grammyjs/conversations';
import { Composer, type Context, InlineKeyboard } from 'grammy';
import { DomainError } from '../../core/errors.ts';
import { type BotContext, html } from '../context.ts';
import type { BotDeps } from '../deps.ts';
import { escapeHtml } from '../render/html.ts';

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
    // Only a text in this DM or this prompt's own buttons answer it; anything else passes on to the bot.
    const answer = await conversation
      .waitFor(['message:text', 'callback_query:data'])
      .and(
        (c) =>
          c.chat?.type === 'private' &&
          (!c.callbackQuery || [SKIP, CANCEL].includes(c.callbackQuery.data ?? '')),
      );
    if (answer.callbackQuery) await answer.answerCallbackQuery();
    const text = answer.message?.text;
    if (answer.callbackQuery?.data === CANCEL || text?.startsWith('/')) {
      await ctx.reply(`#${ticketId} stays open.`);
      return;
    }
    const note = answer.callbackQuery ? undefined : text;
    const outcome = await conversation.external(() =>
      services.tickets.close(ticketId, { kind: 'agent', agentId, note }).then(
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

/** `/close` (the active ticket, or `/close 12`) and the “✖ Close #12” button start the close conversation. */
export function closeFeature({ services }: Pick<BotDeps, 'services'>) {
  const feature = new Composer<BotContext>();
  const agentOf = (ctx: BotContext) => ctx.agent as NonNullable<BotContext['agent']>;

  feature.command('close', async (ctx) => {
    const agent = await services.agents.get(agentOf(ctx).id);
    const ticketId = Number(ctx.match.trim()) || agent.activeTicket?.id;
    if (!ticketId) {
      await ctx.reply('No active ticket to close. Use /tickets to pick one, or /close 12.');
      return;
    }
    await ctx.conversation.enter(CLOSE_CONVERSATION, ticketId, agent.id);
  });

  feature.callbackQuery(/^close:(\d+)$/, async (ctx) => {
    await ctx.answerCallbackQuery();
    await ctx.conversation.enter(CLOSE_CONVERSATION, Number(ctx.match[1]), agentOf(ctx).id);
  });

  return feature;
}
