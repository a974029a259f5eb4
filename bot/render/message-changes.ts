import type { Message } from '../../db/entities/index.ts';
import { renderRelayedMessage } from './agent-messages.ts';
import { escapeHtml, ticketLabel } from './html.ts';
import { CAPTION_LIMIT, htmlTextLength, splitText, TEXT_LIMIT, truncate } from './telegram-text.ts';

type TicketRef = { id: number; category?: string | null };

export const EDITED_MARK = '<i>✏️ edited</i>';
export const DELETED_MARK = '<i>🗑 deleted by the visitor</i>';

/**
 * A relayed visitor message after the visitor edited it, as one Telegram message marked "✏️ edited"; null
 * when it no longer fits one (the copy is then left and a notice follows it).
 */
export function renderEditedCopy(ticket: TicketRef, message: Message): string | null {
  const { texts } = renderRelayedMessage(ticket, message, { withFile: false });
  if (texts.length !== 1) return null;
  const text = `${texts[0]}\n${EDITED_MARK}`;
  return htmlTextLength(text) <= TEXT_LIMIT ? text : null;
}

/** "✏️ edited:" and the new text, replying to the copy that could not be edited (parts if long). */
export function renderEditedNotice(ticket: TicketRef, message: Message): string[] {
  const head = `<b>${escapeHtml(ticketLabel(ticket))}</b> · Visitor ✏️ edited:`;
  const room = TEXT_LIMIT - htmlTextLength(head) - 1;
  return splitText(message.body || '📎', room).map((part) => `${head}\n${escapeHtml(part)}`);
}

/**
 * What a copy of a deleted visitor message becomes where Telegram will not delete it: its text struck
 * through (shortened), marked "deleted by the visitor". Fits a caption too.
 */
export function renderDeletedCopy(
  ticket: TicketRef,
  message: Message,
  { first }: { first: boolean },
): string {
  const label = `<b>${escapeHtml(ticketLabel(ticket))}</b> · Visitor`;
  if (!first || !message.body) return `${label}\n${DELETED_MARK}`;
  const room = CAPTION_LIMIT - htmlTextLength(label) - htmlTextLength(DELETED_MARK) - 16;
  return `${label}\n<s>${escapeHtml(truncate(message.body, room))}</s>\n${DELETED_MARK}`;
}

/** A visitor message the agent saw only in the "connected" history was edited or deleted. */
export function renderHistoryChangeNotice(
  ticket: TicketRef,
  message: Message,
  change: 'edited' | 'deleted',
): string {
  const label = `<b>${escapeHtml(ticketLabel(ticket))}</b>`;
  if (change === 'deleted') {
    return `🗑 ${label} · the visitor deleted a message: <s>${escapeHtml(truncate(message.body || '📎', 200))}</s>`;
  }
  const head = `✏️ ${label} · the visitor edited a message:`;
  return `${head}\n${escapeHtml(truncate(message.body || '📎', TEXT_LIMIT - htmlTextLength(head) - 8))}`;
}
