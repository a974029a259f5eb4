import { InlineKeyboard } from 'grammy';
import type { Message } from '../../db/entities/index.ts';
import { escapeHtml, ticketLabel } from './html.ts';
import { CAPTION_LIMIT, htmlTextLength, splitText, TEXT_LIMIT, truncate } from './telegram-text.ts';

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

/** Room kept on a part's label line for its " (12/34)". */
const PART_MARK_ROOM = 12;

/** A relayed message's label line: "#12 · Billing · Visitor 📎", and "(2/3)" on a part of a long one. */
function relayedLabel(
  ticket: { id: number; category?: string | null },
  message: Message,
  part?: { number: number; of: number },
): string {
  const media = message.mediaUrl ? ' 📎' : '';
  const mark = part ? ` (${part.number}/${part.of})` : '';
  return `<b>${escapeHtml(ticketLabel(ticket))}</b> · ${escapeHtml(senderName(message))}${media}${mark}`;
}

/**
 * A visitor message as the agent's DM shows it: `caption` for its file (null without one), then `texts`,
 * one Telegram message each. Every one starts with the ticket's label, so a reply to any answers the
 * ticket. Nothing is cut: a text longer than one Telegram message is split into labelled parts, and a
 * caption over Telegram's 1,024 leaves the file with the label alone and the text following it.
 */
export function renderRelayedMessage(
  ticket: { id: number; category?: string | null },
  message: Message,
  { withFile }: { withFile: boolean },
): { caption: string | null; texts: string[] } {
  const label = relayedLabel(ticket, message);
  const whole = message.body ? `${label}\n${escapeHtml(message.body)}` : label;
  let texts = [whole];
  if (htmlTextLength(whole) > TEXT_LIMIT) {
    const room = TEXT_LIMIT - htmlTextLength(label) - PART_MARK_ROOM - 1;
    const parts = splitText(message.body, room);
    texts = parts.map(
      (part, index) =>
        `${relayedLabel(ticket, message, { number: index + 1, of: parts.length })}\n${escapeHtml(part)}`,
    );
  }
  if (!withFile) return { caption: null, texts };
  if (texts.length === 1 && htmlTextLength(whole) <= CAPTION_LIMIT) return { caption: whole, texts: [] };
  return { caption: label, texts };
}

/** How much of each earlier message the "connected" history shows. */
const HISTORY_LINE_LENGTH = 500;

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
      `<b>${escapeHtml(senderName(message))}:</b> ${escapeHtml(truncate(message.body || '📎', HISTORY_LINE_LENGTH))}${message.mediaUrl ? ' 📎' : ''}`,
  );
  let text = `${head}\n\n${lines.join('\n')}`;
  while (htmlTextLength(text) > TEXT_LIMIT && lines.length > 1) {
    lines.shift();
    text = `${head}\n\n…\n${lines.join('\n')}`;
  }
  return text;
}
