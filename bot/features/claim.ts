import { Composer, type MiddlewareFn } from 'grammy';
import type { BotContext } from '../context.ts';
import type { BotDeps } from '../deps.ts';
import { parseTicketId } from '../ticket-id.ts';
import type { TicketThreadMode } from '../ticket-threads.ts';

/** Where the winner of a claim goes on. */
export const WHERE_IT_CONTINUES: Record<TicketThreadMode, string> = {
  single: 'the conversation continues in my DM',
  'private-topics': 'it has its own topic in my DM',
  'group-topics': 'answer in its topic here',
};

/** The card's (and /queue's) buttons: ✅ Claim is atomic in core — one winner; ↩️ Pass is recorded on the card. */
export function claimFeature(
  { services }: Pick<BotDeps, 'services'>,
  requireAgent: MiddlewareFn<BotContext>,
  mode: TicketThreadMode,
) {
  const feature = new Composer<BotContext>();
  const agentOf = (ctx: BotContext) => ctx.agent as NonNullable<BotContext['agent']>;

  feature.callbackQuery(/^claim:(.*)$/, requireAgent, async (ctx) => {
    const ticketId = parseTicketId(ctx.match[1] ?? '');
    if (!ticketId) return ctx.answerCallbackQuery({ text: 'This button is no longer active.' });
    // A loser gets TicketAlreadyClaimed ("… already claimed by NAME") as the callback answer.
    await services.tickets.claim(ticketId, agentOf(ctx).id);
    await ctx.answerCallbackQuery({ text: `#${ticketId} is yours — ${WHERE_IT_CONTINUES[mode]}.` });
  });

  feature.callbackQuery(/^pass:(.*)$/, requireAgent, async (ctx) => {
    const ticketId = parseTicketId(ctx.match[1] ?? '');
    if (!ticketId) return ctx.answerCallbackQuery({ text: 'This button is no longer active.' });
    await services.tickets.pass(ticketId, agentOf(ctx).id);
    await ctx.answerCallbackQuery({ text: `You passed on #${ticketId}; it stays in the queue.` });
  });

  return feature;
}
