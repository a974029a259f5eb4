/** Escapes text for Telegram's HTML parse mode: visitor text can never become markup. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** "#12 · Billing" */
export function ticketLabel(ticket: { id: number; category?: string | null }): string {
  return ticket.category ? `#${ticket.id} · ${ticket.category}` : `#${ticket.id}`;
}
