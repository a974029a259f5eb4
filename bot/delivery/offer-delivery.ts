import { type Api, GrammyError, InlineKeyboard } from 'grammy';
import type { Services } from '../../core/services.ts';
import { html } from '../context.ts';
import { acceptOfferData, passOfferData, renderEndedOffer, renderOffer } from '../render/offer.ts';

/** The message is as wanted already, or gone: nothing left to edit. */
const isSettled = (error: unknown) =>
  error instanceof GrammyError && /not modified|message to edit not found/i.test(error.description);

/**
 * `ASSIGNMENT=auto` in Telegram: the offer in the agent's chat with the bot (Accept / Pass), and the same
 * message rewritten, without buttons, when the offer ends. The offer's state in the database decides: an
 * offer that ended before its message went out is not shown.
 */
export function createOfferDelivery({ api, services }: { api: Api; services: Services }) {
  return {
    async show(agentId: number, offerId: number): Promise<'sent'> {
      const offer = await services.assignment.offer(offerId);
      if (offer.outcome || offer.tgMessageId) return 'sent';
      const [agent, card] = await Promise.all([
        services.agents.get(agentId),
        services.desk.card(offer.ticketId),
      ]);
      const sent = await api.sendMessage(agent.tgChatId, renderOffer(card, offer), {
        ...html,
        reply_markup: new InlineKeyboard()
          .text('✅ Accept', acceptOfferData(offerId))
          .text('↩️ Pass', passOfferData(offerId)),
      });
      await services.assignment.setOfferMessage(offerId, sent.message_id);
      // The offer is one of its ticket's messages: a reply to it goes to that ticket (once accepted).
      await services.telegramLinks.record({
        ticketId: offer.ticketId,
        chatId: sent.chat.id,
        tgMessageId: sent.message_id,
        role: 'notice',
      });
      // Ended while it was being sent: say so at once.
      if ((await services.assignment.offer(offerId)).outcome) await this.ended(agentId, offerId);
      return 'sent';
    },

    async ended(agentId: number, offerId: number): Promise<'sent'> {
      const offer = await services.assignment.offer(offerId);
      if (!offer.tgMessageId || !offer.outcome) return 'sent';
      const [agent, card] = await Promise.all([
        services.agents.get(agentId),
        services.desk.card(offer.ticketId),
      ]);
      try {
        await api.editMessageText(agent.tgChatId, offer.tgMessageId, renderEndedOffer(card, offer), {
          ...html,
          reply_markup: new InlineKeyboard(),
        });
      } catch (error) {
        if (!isSettled(error)) throw error;
      }
      return 'sent';
    },
  };
}
