import type { TicketCard } from '../../core/agent-desk.service.ts';
import type { OfferView } from '../../core/assignment.service.ts';
import { escapeHtml, ticketLabel } from './html.ts';
import { truncate } from './telegram-text.ts';

/** The offer's buttons: one callback format, built and parsed here. */
export const acceptOfferData = (offerId: number) => `offer:accept:${offerId}`;
export const passOfferData = (offerId: number) => `offer:pass:${offerId}`;
export const OFFER_DATA = /^offer:(accept|pass):(\d{1,10})$/;

const OFFER_PREVIEW_LENGTH = 300;

/** "🔔 #12 · Billing is offered to you", what the visitor wrote, and how long the agent has. */
export function renderOffer(card: TicketCard, offer: OfferView, now = new Date()): string {
  const seconds = Math.max(1, Math.round((offer.expiresAt.getTime() - now.getTime()) / 1000));
  const who = card.identity?.name ? ` · ${escapeHtml(truncate(card.identity.name, 60))}` : '';
  return (
    `🔔 <b>${escapeHtml(ticketLabel(card))}</b>${who} is offered to you.\n` +
    `${escapeHtml(truncate(card.firstMessage || '📎', OFFER_PREVIEW_LENGTH))}\n\n` +
    `<i>Accept within ${seconds} s, or pass and it goes to the next agent.</i>`
  );
}

/** The offer's message once it ended. */
export function renderEndedOffer(card: TicketCard, offer: OfferView): string {
  const label = `<b>${escapeHtml(ticketLabel(card))}</b>`;
  switch (offer.outcome) {
    case 'accepted':
      return `✅ You accepted ${label}.`;
    case 'passed':
      return `↩️ You passed on ${label}: it was offered to the next agent.`;
    case 'expired':
      return `⌛ ${label} was not accepted in time: it was offered to the next agent.`;
    default:
      return offer.claimedBy
        ? `${label} was taken by ${escapeHtml(offer.claimedBy)}.`
        : `${label} is no longer offered to you.`;
  }
}
