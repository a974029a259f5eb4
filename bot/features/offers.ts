import { Composer, type MiddlewareFn } from 'grammy';
import type { BotContext } from '../context.ts';
import type { BotDeps } from '../deps.ts';
import { OFFER_DATA } from '../render/offer.ts';
import type { TicketThreadMode } from '../ticket-threads.ts';
import { WHERE_IT_CONTINUES } from './claim.ts';

/**
 * `ASSIGNMENT=auto`: the offer's ✅ Accept (a claim that wins only while the offer is live) and ↩️ Pass
 * (recorded as a pass; the next agent is offered the ticket). The database decides: an ended offer's
 * buttons are answered with what happened.
 */
export function offersFeature(
  { services }: Pick<BotDeps, 'services'>,
  requireAgent: MiddlewareFn<BotContext>,
  mode: TicketThreadMode,
) {
  const feature = new Composer<BotContext>();
  const agentOf = (ctx: BotContext) => ctx.agent as NonNullable<BotContext['agent']>;

  feature.callbackQuery(OFFER_DATA, requireAgent, async (ctx) => {
    const offerId = Number(ctx.match[2]);
    const offer = await services.assignment.offer(offerId);
    if (offer.agentId !== agentOf(ctx).id) {
      return ctx.answerCallbackQuery({ text: 'This offer is for another agent.' });
    }
    if (ctx.match[1] === 'pass') {
      await services.assignment.pass(offerId, offer.agentId);
      return ctx.answerCallbackQuery({ text: `You passed on #${offer.ticketId}.` });
    }
    // Refusals (the offer ended, someone claimed it first) are answered by the bot's error boundary.
    await services.tickets.claim(offer.ticketId, offer.agentId, { offerId });
    await ctx.answerCallbackQuery({ text: `#${offer.ticketId} is yours — ${WHERE_IT_CONTINUES[mode]}.` });
    await ctx.editMessageReplyMarkup({ reply_markup: { inline_keyboard: [] } });
  });

  return feature;
}
