/**
 * The Mini App's start parameter that opens a ticket: the group card's "Open in app" link carries
 * `startapp=ticket-12` (Telegram allows A-Z, a-z, 0-9, _ and -, up to 512 characters). Kept free of zod:
 * the Mini App's bundle imports it at run time.
 */
export const ticketStartParam = (ticketId: number) => `ticket-${ticketId}`;

const TICKET_START_PARAM = /^ticket-(\d{1,9})$/;

/** The ticket a start parameter names, or null. */
export function ticketIdOfStartParam(param: string | null | undefined): number | null {
  const match = param ? TICKET_START_PARAM.exec(param) : null;
  const id = match ? Number(match[1]) : 0;
  return id > 0 ? id : null;
}
