/**
 * Ticket states arrive out of order across instances (an event through LISTEN/NOTIFY after a newer answer,
 * a poll started before an event): a ticket's `version` grows with every change of its row, so of two
 * states of one ticket the higher version is the newer. No zod here: the widget's bundle imports it.
 */
type Versioned = { id: number; version?: number | undefined };

/**
 * Whether `incoming` is an older state of the ticket `current` shows (and should be dropped). The same
 * version is not older: it is the same row, perhaps with news beside it (a pass, a note). Without a
 * version on either side (an older server) nothing is older.
 */
export function isOlderTicket(current: Versioned | null | undefined, incoming: Versioned): boolean {
  return (
    current?.id === incoming.id &&
    current.version !== undefined &&
    incoming.version !== undefined &&
    incoming.version < current.version
  );
}

/** Of the shown state and an incoming one of the same ticket, the one to keep. */
export function newerTicket<T extends Versioned>(current: T | null | undefined, incoming: T): T {
  return current && isOlderTicket(current, incoming) ? current : incoming;
}
