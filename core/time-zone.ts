import { DomainError } from './errors.ts';

const UNKNOWN_ZONE = 'not a known time zone (e.g. Europe/Berlin or UTC)';

/**
 * The shape of an IANA time zone name: `Area/City`, `UTC`, `EST5EDT`, `Etc/GMT+5` — it starts with a
 * letter. A raw UTC offset (`+05`, `+0500`, `-03`) is refused: Node's Intl reads `+05` as UTC+5, but
 * PostgreSQL's `at time zone '+05'` reads it as a POSIX zone, UTC−5, and would silently shift every day.
 */
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;

/**
 * An IANA time zone (a name, never an offset) the server knows, else a 400 naming `field`. Returns the zone
 * as given.
 */
export function checkTimeZone(zone: string, field = 'tz'): string {
  if (/^[+-]?\d/.test(zone)) {
    throw new DomainError(
      'validation_failed',
      `${field}: give a time zone name such as Europe/Berlin, not a UTC offset`,
    );
  }
  try {
    if (!ZONE_NAME.test(zone)) throw new RangeError(zone);
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone;
  } catch {
    throw new DomainError('validation_failed', `${field}: ${UNKNOWN_ZONE}`);
  }
}

/**
 * The earliest day a period may start or end: 1970-01-01. No ticket is older, and it keeps every day far
 * inside the range both JavaScript and PostgreSQL accept (PostgreSQL refuses year 0000, which JavaScript
 * takes). The latest is 9999-12-31 (four-digit years).
 */
export const MIN_DAY = '1970-01-01';

/** A calendar day `YYYY-MM-DD` that exists (2026-02-30 does not), from MIN_DAY on, else a 400 naming `field`. */
export function checkDay(day: string, field: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(day) ||
    Number.isNaN(date.getTime()) ||
    date.toISOString().slice(0, 10) !== day
  ) {
    throw new DomainError('validation_failed', `${field}: not a calendar day (YYYY-MM-DD)`);
  }
  if (day < MIN_DAY) {
    throw new DomainError('validation_failed', `${field}: must be ${MIN_DAY} or later`);
  }
  return day;
}

/**
 * Checks a zone with the database too (its zone data can be older than Node's), once per zone: only a
 * zone the database lists by name (`pg_timezone_names`, the IANA zones it has files for) is taken, so
 * PostgreSQL never reads it as a POSIX rule. A zone it does not know is a 400, never a failed query.
 */
export function createZoneCheck(query: (sql: string, params: unknown[]) => Promise<unknown>) {
  const known = new Set<string>(['UTC']);
  return async (zone: string, field = 'tz'): Promise<string> => {
    checkTimeZone(zone, field);
    if (known.has(zone)) return zone;
    const rows = (await query(
      'select exists (select 1 from pg_timezone_names where lower(name) = lower(?)) as found',
      [zone],
    )) as { found: boolean }[];
    if (rows[0]?.found !== true) throw new DomainError('validation_failed', `${field}: ${UNKNOWN_ZONE}`);
    if (known.size < 1000) known.add(zone);
    return zone;
  };
}
