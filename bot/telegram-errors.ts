import { GrammyError } from 'grammy';

/**
 * Telegram refused a call for good: a bad request (too long, empty, unparsable, no rights…), forbidden
 * (blocked by the user, not a member), not found, too large. Asking again gets the same answer. 429
 * (flood) and 5xx can pass, and 401 means the bot's token is wrong, which the operator fixes.
 */
export const isPermanentTelegramRefusal = (error: unknown): error is GrammyError =>
  error instanceof GrammyError && [400, 403, 404, 413].includes(error.error_code);
