import { InlineKeyboard } from 'grammy';
import type { Message } from '../../db/entities/index.ts';
import { escapeHtml, ticketLabel, truncate } from './html.ts';

/** Telegram's limits for a message's text and a photo's or document's caption. */
const MAX_TEXT = 4096;
export const MAX_CAPTION_BODY = 1024 - 100;

export const closeData = (ticketId: number) => `close:${ticketId}`;
export const closeButton = (ticketId: number) =>
  new InlineKeyboard().text(`✖ Close #${ticketId}`, closeData(ticketId));

/**
 * The ticket a bot message in an agent's DM is about: every such message starts with its ticket's label
 * ("#12 · Visitor …", "🔗 You're connected to #12 …"), so an agent's reply to it answers that ticket.
 */
export function ticketOfLabel(text: string | undefined): number | null {
  const match = /^\D{0,40}?#(\d+)\b/.exec(text?.split('\n', 1)[0] ?? '');
  return match ? Number(match[1]) : null;
}

const senderName = (message: Message) =>
  message.sender === 'visitor'
    ? 'Visitor'
    : message.sender === 'agent'
      ? (message.agent?.name ?? 'Agent')
      : 'System';

/** A visitor message relayed to the agent's DM, labelled with its ticket. */
export function renderRelayedMessage(
  ticket: { id: number; category?: string | null },
  message: Message,
  maxBody = MAX_TEXT - 200,
): string {
  const body = message.body ? escapeHtml(truncate(message.body, maxBody)) : '';
  const media = message.mediaUrl ? ' 📎' : '';
  return `<b>${escapeHtml(ticketLabel(ticket))}</b> · ${senderName(message)}${media}\n${body}`.trimEnd();
}

/** "Connected to #12" with the history so far (the oldest messages are dropped if it gets too long). */
export function renderConnected(
  ticket: { id: number; category?: string | null },
  history: Message[],
): string {
  const head =
    `🔗 You're connected to <b>${escapeHtml(ticketLabel(ticket))}</b>.\n` +
    'Write here to answer (replying to a message of a ticket answers that ticket); ' +
    '/tickets switches between your tickets, /close closes this one.';
  const lines = history.map(
    (message) =>
      `<b>${escapeHtml(senderName(message))}:</b> ${escapeHtml(truncate(message.body || '📎', 500))}${message.mediaUrl ? ' 📎' : ''}`,
  );
  let text = `${head}\n\n${lines.join('\n')}`;
  while (text.length > MAX_TEXT && lines.length > 1) {
    lines.shift();
    text = `${head}\n\n…\n${lines.join('\n')}`;
  }
  return text;
}
