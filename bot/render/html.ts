/** Escapes text for Telegram's HTML parse mode: visitor text can never become markup. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Cuts counting as Telegram does (UTF-16 code units); kept here for the features that import it. */
export { truncate } from './telegram-text.ts';

/** "#12 · Billing" */
export function ticketLabel(ticket: { id: number; category?: string | null }): string {
  return ticket.category ? `#${ticket.id} · ${ticket.category}` : `#${ticket.id}`;
}
