import { InlineKeyboard } from 'grammy';
import type { Message } from '../../db/entities/index.ts';
import { escapeHtml, ticketLabel } from './html.ts';
import { CAPTION_LIMIT, htmlTextLength, splitText, TEXT_LIMIT } from './telegram-text.ts';

export const closeData = (ticketId: number) => `close:${ticketId}`;
export const closeButton = (ticketId: number) =>
  new InlineKeyboard().text(`✖ Close #${ticketId}`, closeData(ticketId));

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
 * A visitor message as the agent's chat shows it: `caption` for its file (null without one), then `texts`,
 * one Telegram message each. Every one starts with the ticket's label (for the agent's eyes: replies
 * route by the stored message ids). Nothing is cut: a text longer than one Telegram message is split into labelled parts, and a
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

/** An internal note in the "connected" history. */
export type HistoryNote = { authorName: string; body: string; createdAt: Date };

/**
 * Telegram messages the "connected" history may take at most: at the 1 s a chat allows, a few seconds.
 * A ticket that waited long (every message up to 8,000 characters) would otherwise take minutes.
 */
export const HISTORY_MAX_PARTS = 4;

/**
 * "Connected to #12" with the history so far, as one or more Telegram messages. No message is cut: one
 * too long for a Telegram message is split into pieces (between words), each on a line of its own, and
 * lines are packed into messages of at most Telegram's 4,096. The first message starts with the
 * connected notice, the others with the ticket's label and "(2/3)". Beyond HISTORY_MAX_PARTS the oldest messages are left out whole, and the notice says how many
 * (the queue app shows them).
 */
export function renderConnected(
  ticket: { id: number; category?: string | null },
  history: Message[],
  {
    inTopic = false,
    notes = [],
  }: {
    inTopic?: boolean;
    /** The team's internal notes (agents only), shown in time order among the messages, marked 📝. */
    notes?: HistoryNote[];
  } = {},
): string[] {
  const label = escapeHtml(ticketLabel(ticket));
  const head =
    `🔗 You're connected to <b>${label}</b>.\n` +
    (inTopic
      ? 'This topic is the ticket: whatever you write here goes to the visitor; /close closes it.'
      : 'Write here to answer (replying to a message of a ticket answers that ticket); ' +
        '/tickets switches between your tickets, /close closes this one.');
  const continuation = (number: number, of: number) => `<b>${label}</b> · history (${number}/${of})`;
  const leftOut = (count: number) =>
    `… ${count} earlier message${count === 1 ? '' : 's'}: open the ticket in the queue app to read ${count === 1 ? 'it' : 'them'}.`;
  // Room for the lines under either heading ("\n\n" between heading and lines).
  const room = TEXT_LIMIT - Math.max(htmlTextLength(head), htmlTextLength(continuation(0, 0)) + 6) - 2;

  const linesOf = (message: Message) => {
    const prefix = `<b>${escapeHtml(senderName(message))}:</b> `;
    const suffix = message.mediaUrl ? ' 📎' : '';
    const pieces = splitText(message.body || '📎', room - htmlTextLength(prefix + suffix));
    return pieces.map((piece, index) => `${index === 0 ? prefix : '↳ '}${escapeHtml(piece)}${suffix}`);
  };
  const pack = (lines: string[]) => {
    const parts: string[][] = [[]];
    let used = 0;
    for (const line of lines) {
      const length = htmlTextLength(line) + 1;
      if (used + length > room && (parts.at(-1) as string[]).length > 0) {
        parts.push([]);
        used = 0;
      }
      (parts.at(-1) as string[]).push(line);
      used += length;
    }
    return parts;
  };

  const noteLines = (note: HistoryNote) => {
    const prefix = `📝 <b>Note · ${escapeHtml(note.authorName)}:</b> `;
    const pieces = splitText(note.body, room - htmlTextLength(prefix));
    return pieces.map((piece, index) => `${index === 0 ? prefix : '↳ '}<i>${escapeHtml(piece)}</i>`);
  };
  // The messages in their order; notes (if any) slotted in by time (a stable sort keeps equal times' order).
  const timeline = [
    ...history.map((message) => ({ at: message.createdAt?.getTime() ?? 0, lines: () => linesOf(message) })),
    ...notes.map((note) => ({ at: note.createdAt.getTime(), lines: () => noteLines(note) })),
  ];
  if (notes.length) timeline.sort((a, b) => a.at - b.at);
  const messageLines = timeline.map((entry) => entry.lines());
  let omitted = 0;
  let parts = pack(messageLines.flat());
  while (parts.length > HISTORY_MAX_PARTS && omitted < messageLines.length - 1) {
    omitted += 1;
    parts = pack([leftOut(omitted), ...messageLines.slice(omitted).flat()]);
  }
  return parts.map((part, index) => {
    const heading = index === 0 ? head : continuation(index + 1, parts.length);
    return part.length ? `${heading}\n\n${part.join('\n')}` : heading;
  });
}
