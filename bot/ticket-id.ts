/** Ticket ids are PostgreSQL integers: a larger number must not reach a query (it would fail there). */
const MAX_TICKET_ID = 2_147_483_647;

/**
 * A ticket id as an agent types it after a command (`/close 12`, `/close #12`) or as button data carries
 * it: a whole number from 1 to the database's limit. Anything else (`abc`, `-1`, `1.5`, `Infinity`,
 * `1e3`, `99999999999`) is null, for the caller to answer with a hint instead of failing.
 */
export function parseTicketId(text: string): number | null {
  const digits = /^#?(\d{1,10})$/.exec(text.trim())?.[1];
  if (digits === undefined) return null;
  const id = Number(digits);
  return id >= 1 && id <= MAX_TICKET_ID ? id : null;
}
