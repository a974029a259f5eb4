import { InlineKeyboard } from 'grammy';
import { ticketStartParam } from '../../contract/start-param.ts';
import type { TicketCard } from '../../core/agent-desk.service.ts';
import { escapeHtml, ticketLabel } from './html.ts';
import { truncate } from './telegram-text.ts';

/** How much of the first and the latest visitor message a card shows (UTF-16 code units, as Telegram counts). */
export const CARD_PREVIEW_LENGTH = 200;
export const CARD_LATEST_LENGTH = 100;
/** How much of the visitor's page title (or address) a card shows. */
export const CARD_PAGE_LENGTH = 100;

/** At most this many online agents are named on a card (then "+N more"). */
export const CARD_ONLINE_NAMES = 10;

export const claimData = (ticketId: number) => `claim:${ticketId}`;

/** What a card shows beyond the ticket: the online agents who can take it, and the Mini App link. */
export type CardExtras = {
  /** The agents effectively online with the ticket's skill (only unclaimed cards name them). */
  online?: { name: string; username: string | null; tgChatId: number }[];
  /** `https://t.me/<bot>?startapp=ticket-12` (or `/<short name>`): opens the ticket in the Mini App. */
  openInAppUrl?: string;
};

/**
 * The Mini App link that opens a ticket from a group, where web_app buttons are not allowed: the direct
 * link of the app with `shortName` (set with @BotFather /newapp), else the bot's main Mini App.
 */
export function openInAppUrl(botUsername: string, ticketId: number, shortName?: string): string {
  const app = shortName ? `/${encodeURIComponent(shortName)}` : '';
  return `https://t.me/${encodeURIComponent(botUsername)}${app}?startapp=${ticketStartParam(ticketId)}`;
}
export const passData = (ticketId: number) => `pass:${ticketId}`;

/**
 * The support group's card for a ticket: HTML text and, while unclaimed, the Claim / Pass buttons. Every
 * part of unbounded length is cut, so the card stays far below Telegram's 4,096 however long or
 * emoji-heavy the visitor's messages are.
 */
export function renderCard(
  card: TicketCard,
  extras: CardExtras = {},
): { text: string; keyboard: InlineKeyboard } {
  const label = escapeHtml(ticketLabel(card));
  const lines: string[] = [];
  if (card.status === 'open') lines.push(`🆕 <b>${label}</b>`);
  else if (card.status === 'claimed')
    lines.push(`✅ <b>${label}</b> — claimed by ${escapeHtml(agentName(card))}`);
  else lines.push(`☑️ <b>${label}</b> — closed${card.claimedBy ? ` (${escapeHtml(agentName(card))})` : ''}`);

  if (card.priority && card.priority !== 'normal') {
    lines.push(card.priority === 'high' ? '🔴 <b>High priority</b>' : '⚪️ Low priority');
  }
  lines.push(escapeHtml(truncate(card.firstMessage, CARD_PREVIEW_LENGTH)));
  if (card.latestMessage) {
    lines.push(
      `💬 ${card.visitorMessageCount} messages · latest: ${escapeHtml(truncate(card.latestMessage, CARD_LATEST_LENGTH))}`,
    );
  }
  if (card.identity) {
    const who = [card.identity.name, card.identity.email].filter(Boolean).join(' · ');
    lines.push(`👤 ${escapeHtml(truncate(who || 'Identified visitor', 300))}`);
  }
  if (card.page) lines.push(`🌐 ${pageLink(card.page)}`);
  if (card.contact) {
    const contact = [card.contact.email, card.contact.phone].filter(Boolean).join(' · ');
    lines.push(`📇 Contact: ${escapeHtml(contact)}`);
  }
  if (card.passedBy.length && card.status === 'open') {
    lines.push(`↩️ Passed by ${escapeHtml(truncate(card.passedBy.join(', '), 500))}`);
  }
  if (card.rating) {
    const comment = card.rating.comment ? ` — “${escapeHtml(truncate(card.rating.comment, 200))}”` : '';
    lines.push(`${'★'.repeat(card.rating.stars)}${'☆'.repeat(5 - card.rating.stars)}${comment}`);
  }
  if (card.status === 'open' && extras.online) lines.push(onlineLine(extras.online));
  const keyboard = new InlineKeyboard();
  if (card.status === 'open') keyboard.text('✅ Claim', claimData(card.id)).text('↩️ Pass', passData(card.id));
  if (extras.openInAppUrl && card.status !== 'closed') {
    if (card.status === 'open') keyboard.row();
    keyboard.url('📱 Open in app', extras.openInAppUrl);
  }
  return { text: lines.join('\n'), keyboard };
}

/** `🟢 Online: @alice, Bob +3 more` (mentions: @username, else a link to the user), or nobody online. */
function onlineLine(online: NonNullable<CardExtras['online']>): string {
  if (!online.length) return '💤 Nobody with this skill is online';
  const named = online
    .slice(0, CARD_ONLINE_NAMES)
    .map((agent) =>
      agent.username
        ? `@${escapeHtml(agent.username)}`
        : `<a href="tg://user?id=${agent.tgChatId}">${escapeHtml(truncate(agent.name, 40))}</a>`,
    );
  const more = online.length > CARD_ONLINE_NAMES ? ` +${online.length - CARD_ONLINE_NAMES} more` : '';
  return `🟢 Online: ${named.join(', ')}${more}`;
}

/**
 * The page the visitor is on, as a link (only http(s) URLs are stored): its title, or its address, as text;
 * with a title, the site's host name follows, since the visitor's words are what the link says.
 */
function pageLink(page: NonNullable<TicketCard['page']>): string {
  const label = truncate(page.title || page.url, CARD_PAGE_LENGTH);
  if (!/^https?:\/\//i.test(page.url) || !URL.canParse(page.url)) return escapeHtml(label);
  const host = page.title ? ` · ${escapeHtml(new URL(page.url).host)}` : '';
  return `<a href="${escapeHtml(page.url)}">${escapeHtml(label)}</a>${host}`;
}

function agentName(card: TicketCard): string {
  if (!card.claimedBy) return 'an agent';
  return card.claimedBy.username ? `@${card.claimedBy.username}` : card.claimedBy.name;
}

/**
 * The card of a ticket whose conversation was erased (a visitor's request): its label and "erased", no
 * buttons. The ticket row is gone, so it is rendered from what the `ticket.erased` job carries.
 */
export function renderErasedCard(ticket: { id: number; category: string | null }): {
  text: string;
  keyboard: InlineKeyboard;
} {
  return {
    text: `🗑 <b>${escapeHtml(ticketLabel(ticket))}</b> — erased\nThe visitor’s conversation was erased at their request.`,
    keyboard: new InlineKeyboard(),
  };
}
