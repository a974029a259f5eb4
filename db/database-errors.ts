import { ConnectionException } from '@mikro-orm/core';

/**
 * SQLSTATEs of a database that cannot serve right now, though it may in a moment: class 08
 * (connection exception) is matched by prefix; 57P01 admin_shutdown (also a terminated backend),
 * 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up, in recovery), 57P05 idle session
 * timeout, 53300 too_many_connections.
 */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '57P05', '53300']);

/** Socket errors on the way to the database server. */
const UNAVAILABLE_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * What `pg` and `pg-pool` say, without a code, when there is no usable connection: a connection that
 * dropped mid-query, a client closed after its connection failed, no free connection within the pool's
 * `connectionTimeoutMillis`, a pool already shut down.
 */
const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'is not queryable',
  'timeout exceeded when trying to connect',
  'Cannot use a pool after calling end on the pool',
];

/**
 * Whether `error` means "the database cannot be reached right now" rather than a fault of the request
 * or of the code: the API answers such failures with 503 and `Retry-After`, not 500. The error may be
 * `pg`'s own or wrapped by MikroORM (which copies `code` onto its DriverException), so the `cause`
 * chain is followed too.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth += 1) {
    if (current instanceof ConnectionException) return true;
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (code.startsWith('08') && code.length === 5) return true;
      if (UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_ERRNOS.has(code)) return true;
    }
    if (UNAVAILABLE_MESSAGES.some((message) => current instanceof Error && current.message.includes(message)))
      return true;
    current = current.cause;
  }
  return false;
}
