import { DomainError } from './errors.ts';

/** An IANA time zone the server knows, else a 400 naming `field`. Returns the zone as given. */
export function checkTimeZone(zone: string, field = 'tz'): string {
  try {
    if (!zone || /[^A-Za-z0-9_+\-/]/.test(zone)) throw new RangeError(zone);
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone;
  } catch {
    throw new DomainError('validation_failed', `${field}: not a known time zone (e.g. Europe/Berlin or UTC)`);
  }
}

/** A calendar day `YYYY-MM-DD` that exists (2026-02-30 does not), else a 400 naming `field`. */
export function checkDay(day: string, field: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== day) {
    throw new DomainError('validation_failed', `${field}: not a calendar day (YYYY-MM-DD)`);
  }
  return day;
}

/**
 * Checks a zone with the database too (its zone data can be older than Node's), once per zone: a zone
 * PostgreSQL does not know is a 400, never a failed query.
 */
export function createZoneCheck(query: (sql: string, params: unknown[]) => Promise<unknown>) {
  const known = new Set<string>(['UTC']);
  return async (zone: string, field = 'tz'): Promise<string> => {
    checkTimeZone(zone, field);
    if (known.has(zone)) return zone;
    try {
      await query('select now() at time zone ? as now', [zone]);
    } catch {
      throw new DomainError(
        'validation_failed',
        `${field}: not a known time zone (e.g. Europe/Berlin or UTC)`,
      );
    }
    if (known.size < 1000) known.add(zone);
    return zone;
  };
}
