/**
 * Limits and placeholders of canned replies and notes, without zod: the Mini App's bundle imports these
 * (the schemas are in canned-replies-api.ts and notes-api.ts).
 */

export const CANNED_TITLE_MAX_LENGTH = 100;
/** Room under Telegram's 4,096 for filled placeholders (a snippet is sent as one Telegram message). */
export const CANNED_BODY_MAX_LENGTH = 3500;
/** A note is at most a Telegram message long (every `/note` fits). */
export const NOTE_MAX_LENGTH = 4096;

/** The placeholders a snippet may use; `{name|fallback}` gives a word for an unknown value. */
export const CANNED_PLACEHOLDERS = [
  { name: 'visitor_name', meaning: 'the visitor’s name (else “there”)' },
  { name: 'visitor_email', meaning: 'the visitor’s email' },
  { name: 'agent_name', meaning: 'your first name' },
  { name: 'agent_full_name', meaning: 'your full name' },
  { name: 'ticket_id', meaning: 'the ticket’s number' },
  { name: 'category', meaning: 'the ticket’s category' },
] as const;
