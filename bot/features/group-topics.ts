import { Composer, type MiddlewareFn } from 'grammy';
import type { BotContext } from '../context.ts';
import type { BotDeps } from '../deps.ts';
import { telegramOrigin } from '../telegram-origin.ts';
import { parseTicketId } from '../ticket-id.ts';

/** The reaction that marks a team member's message in a ticket's topic as internal (not sent on). */
export const INTERNAL_REACTION = '🙈';

/**
 * `TICKET_THREADS=group-topics`: tickets' conversations are topics of the support group. In a ticket's
 * topic the agent who claimed it answers the visitor (`relay`); anyone else's message stays in the team,
 * marked 🙈. `/close` (an optional note for the visitor after it) and the ✖ Close button close the
 * ticket. Other topics are the team's own and left alone.
 */
export function groupTopicsFeature(
  { services }: Pick<BotDeps, 'services'>,
  requireAgent: MiddlewareFn<BotContext>,
  relay: Composer<BotContext>,
) {
  const feature = new Composer<BotContext>();
  const inGroup = feature.chatType(['group', 'supergroup']);
  const agentOf = (ctx: BotContext) => ctx.agent as NonNullable<BotContext['agent']>;

  /** The ticket whose topic this message is in, or null. */
  const ticketOfTopic = async (ctx: BotContext) => {
    const message = ctx.msg;
    if (!message?.is_topic_message || !message.message_thread_id || !ctx.chat) return null;
    const thread = await services.telegramLinks.threadByTopic(ctx.chat.id, message.message_thread_id);
    return thread?.ticketId ?? null;
  };

  inGroup.callbackQuery(/^close:(.*)$/, requireAgent, async (ctx) => {
    const ticketId = parseTicketId(ctx.match[1] ?? '');
    if (!ticketId) return ctx.answerCallbackQuery({ text: 'This button is no longer active.' });
    await services.tickets.close(ticketId, { kind: 'agent', agentId: agentOf(ctx).id });
    await ctx.answerCallbackQuery({ text: `#${ticketId} is closed.` });
  });

  const inTicketTopic = inGroup.on('message').filter(async (ctx) => (await ticketOfTopic(ctx)) !== null);

  inTicketTopic.command('close', requireAgent, async (ctx) => {
    const ticketId = (await ticketOfTopic(ctx)) as number;
    const note = ctx.match.trim() || undefined;
    await services.tickets.close(ticketId, {
      kind: 'agent',
      agentId: agentOf(ctx).id,
      note,
      noteTelegram: note ? telegramOrigin(ctx.msg) : undefined,
    });
    await ctx.reply(`☑️ #${ticketId} is closed.${note ? ' Your note was sent.' : ''}`);
  });

  inTicketTopic.use(requireAgent, async (ctx, next) => {
    // Other commands are the team's, never the visitor's.
    if (ctx.msg.text?.startsWith('/')) return;
    const ticketId = (await ticketOfTopic(ctx)) as number;
    const ticket = await services.agentConsole.ticketView(ticketId, agentOf(ctx).id);
    if (ticket.mine && ticket.status === 'claimed') return relay.middleware()(ctx, next);
    // Kept as an internal note (agents only: the Mini App, the history on transfer), once per message.
    const text = ctx.msg.text ?? ctx.msg.caption;
    if (text?.trim()) {
      await services.notes.add({
        ticketId,
        agentId: agentOf(ctx).id,
        body: text,
        telegram: telegramOrigin(ctx.msg),
      });
    }
    await ctx.react(INTERNAL_REACTION);
  });

  return feature;
}
