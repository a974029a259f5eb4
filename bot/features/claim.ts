import { Composer, type MiddlewareFn } from 'grammy';
import type { BotContext } from '../context.ts';
import type { BotDeps } from '../deps.ts';

/** The card's (and /queue's) buttons: ✅ Claim is atomic in core — one winner; ↩️ Pass is recorded on the card. */
export function claimFeature(
  { services }: Pick<BotDeps, 'services'>,
  requireAgent: MiddlewareFn<BotContext>,
) {
  const feature = new Composer<BotContext>();

  feature.callbackQuery(/^claim:(\d+)$/, requireAgent, async (ctx) => {
    const ticketId = Number(ctx.match[1]);
    const agent = ctx.agent as NonNullable<BotContext['agent']>;
    // A loser gets TicketAlreadyClaimed ("… already claimed by NAME") as the callback answer.
    await services.tickets.claim(ticketId, agent.id);
    await ctx.answerCallbackQuery({ text: `#${ticketId} is yours — the conversation continues in my DM.` });
  });

  feature.callbackQuery(/^pass:(\d+)$/, requireAgent, async (ctx) => {
    const ticketId = Number(ctx.match[1]);
    await services.tickets.pass(ticketId, (ctx.agent as NonNullable<BotContext['agent']>).id);
    await ctx.answerCallbackQuery({ text: `You passed on #${ticketId}; it stays in the queue.` });
  });

  return feature;
}
