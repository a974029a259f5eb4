import { ticketLabel } from './html.ts';

/** Telegram's limit for a forum topic's name. */
export const TOPIC_NAME_LIMIT = 128;

const cut = (text: string) =>
  text.length <= TOPIC_NAME_LIMIT ? text : `${text.slice(0, TOPIC_NAME_LIMIT - 1)}…`;

/** A ticket's topic: "#12 · Billing · Visitor (ru)". */
export function topicName(ticket: { id: number; category?: string | null; locale?: string | null }): string {
  const language = ticket.locale ? ` (${ticket.locale.split(/[-_]/)[0]?.toLowerCase()})` : '';
  return cut(`${ticketLabel(ticket)} · Visitor${language}`);
}

/** The topic of a closed ticket: "✅ #12 · Billing · Visitor (ru)". */
export function closedTopicName(name: string): string {
  return cut(`✅ ${name}`);
}
