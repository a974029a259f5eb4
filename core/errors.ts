/** Typed domain errors. The server maps `code` to an HTTP status; the bot turns `message` into an answer. */
export class DomainError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

export class NotFound extends DomainError {
  constructor(what: string) {
    super('not_found', `${what} not found`);
  }
}

export class Forbidden extends DomainError {
  constructor(message: string) {
    super('forbidden', message);
  }
}

export class TicketAlreadyClaimed extends DomainError {
  readonly claimedBy: string;
  constructor(ticketId: number, claimedBy: string) {
    super('ticket_already_claimed', `Ticket #${ticketId} is already claimed by ${claimedBy}`);
    this.claimedBy = claimedBy;
  }
}

export class TicketClosed extends DomainError {
  constructor(ticketId: number) {
    super('ticket_closed', `Ticket #${ticketId} is closed`);
  }
}

export class TicketNotClosed extends DomainError {
  constructor(ticketId: number) {
    super('conflict', `Ticket #${ticketId} is still open: it can be rated once it is closed`);
  }
}

/** The change is no longer possible: an agent has taken the ticket (409). */
export class TicketAlreadyTaken extends DomainError {
  constructor(ticketId: number) {
    super('conflict', `Ticket #${ticketId} has been taken by an agent: its topic can no longer change`);
  }
}

export class RateLimited extends DomainError {
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number) {
    super('rate_limited', `Too many requests: try again in ${retryAfterSeconds} s`);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Text that is not valid (NUL, control characters, broken characters): refused as a validation error, 400. */
export class InvalidText extends DomainError {
  constructor(field: string, problem: string) {
    super('validation_failed', `${field}: ${problem}`);
  }
}

/**
 * A send retried (the same client id) after its message was deleted: the retry does not bring it back
 * (410). A delayed copy of a request, or a client retrying late.
 */
export class MessageDeleted extends DomainError {
  constructor() {
    super(
      'message_deleted',
      'This message was deleted after it was sent; sending it again with the same client_id does not bring it back',
    );
  }
}

/** The visitor may edit or delete a message only for a while after sending it (409). */
export class EditWindowExpired extends DomainError {
  constructor(windowSeconds: number) {
    super(
      'edit_window_expired',
      `Messages can be edited or deleted only within ${formatWindow(windowSeconds)} of sending`,
    );
  }
}

const formatWindow = (seconds: number) =>
  seconds % 60 === 0 ? `${seconds / 60} minute${seconds === 60 ? '' : 's'}` : `${seconds} seconds`;

/** An auto-assignment offer is over (accepted, passed, expired or taken back): its buttons no longer work (409). */
export class OfferEnded extends DomainError {
  constructor(message: string) {
    super('offer_ended', message);
  }
}
