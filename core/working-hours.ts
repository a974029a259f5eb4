import type { PresenceState, WorkingDay } from '../db/entities/agent.entity.ts';

/**
 * Working hours in an agent's time zone: whether a moment is inside them, and the last boundary (a start or
 * an end of hours) before it. Pure functions of the clock, so that tests give any moment.
 */

const MINUTES_PER_DAY = 24 * 60;
const DAY_MS = 24 * 60 * 60 * 1000;
const TIME = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;

/** `HH:MM` → minutes since midnight (`24:00` is the end of the day); null if malformed. */
export function minutesOf(time: string): number | null {
  if (!TIME.test(time)) return null;
  const [hours = 0, minutes = 0] = time.split(':').map(Number);
  return hours * 60 + minutes;
}

/** Whether `zone` is an IANA time zone this runtime knows. */
export function isTimeZone(zone: string): boolean {
  if (zone.length > 64) return false;
  try {
    formatterFor(zone);
    return true;
  } catch {
    return false;
  }
}

type Parts = { year: number; month: number; day: number; weekday: number; minutes: number };
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** The local date and time at `at` in the formatter's zone: one `formatToParts` call. */
function partsIn(at: Date, formatter: Intl.DateTimeFormat): Parts & { second: number } {
  let year = 0;
  let month = 0;
  let day = 0;
  let weekday = -1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  for (const part of formatter.formatToParts(at)) {
    switch (part.type) {
      case 'year':
        year = Number(part.value);
        break;
      case 'month':
        month = Number(part.value);
        break;
      case 'day':
        day = Number(part.value);
        break;
      case 'weekday':
        weekday = WEEKDAYS.indexOf(part.value);
        break;
      case 'hour':
        hour = Number(part.value) % 24;
        break;
      case 'minute':
        minute = Number(part.value);
        break;
      case 'second':
        second = Number(part.value);
        break;
    }
  }
  return { year, month, day, weekday, minutes: hour * 60 + minute, second };
}

/**
 * Building an `Intl.DateTimeFormat` costs far more than using one: one per time zone, kept (a zone that
 * does not exist throws and is not kept). Bounded, in case of many distinct zones.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();
const FORMATTERS_MAX = 1_000;

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      weekday: 'short',
    });
    if (formatters.size >= FORMATTERS_MAX) formatters.clear();
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The zone's offset from UTC at `at`, in ms. */
function offsetAt(at: number, formatter: Intl.DateTimeFormat): number {
  const p = partsIn(new Date(at), formatter);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, 0, p.minutes, p.second);
  return asUtc - (at - (((at % 1000) + 1000) % 1000));
}

/**
 * Instants of local times, by zone, date and minutes: a pure function of the time zone rules, and the same
 * few (each schedule's starts and ends over the last days) are asked for on every presence check.
 */
const instants = new Map<string, number>();
const INSTANTS_MAX = 50_000;

/** The instant of a local date and time (minutes since midnight, may be 1440) in the zone. */
function instantOf(
  year: number,
  month: number,
  day: number,
  minutes: number,
  timeZone: string,
  f: Intl.DateTimeFormat,
) {
  const key = `${timeZone} ${year}-${month}-${day} ${minutes}`;
  const known = instants.get(key);
  if (known !== undefined) return known;
  const local = Date.UTC(year, month - 1, day, 0, minutes);
  let guess = local - offsetAt(local, f);
  // Once more with the offset at the guess: right across a daylight-saving change.
  guess = local - offsetAt(guess, f);
  if (instants.size >= INSTANTS_MAX) instants.clear();
  instants.set(key, guess);
  return guess;
}

export type ScheduleState = {
  /** Inside working hours at that moment. */
  inside: boolean;
  /** The latest start or end of hours at or before that moment (within the last 8 days), or null. */
  lastBoundary: Date | null;
};

/**
 * Where `at` falls in the weekly schedule `days` (each `{ day: 0–6 (Sunday first), start, end }` in local
 * time; an end at or before its start runs past midnight into the next day).
 */
export function scheduleAt(days: WorkingDay[], timeZone: string, at: Date): ScheduleState {
  const formatter = formatterFor(timeZone);
  const now = at.getTime();
  const local = partsIn(at, formatter);
  let inside = false;
  let lastBoundary = Number.NEGATIVE_INFINITY;
  // Each of the last 8 local days (and today): the intervals that start on it.
  for (let back = 8; back >= 0; back -= 1) {
    const date = new Date(Date.UTC(local.year, local.month - 1, local.day) - back * DAY_MS);
    const weekday = date.getUTCDay();
    for (const entry of days) {
      if (entry.day !== weekday) continue;
      const start = minutesOf(entry.start);
      let end = minutesOf(entry.end);
      if (start === null || end === null) continue;
      if (end <= start) end += MINUTES_PER_DAY;
      const y = date.getUTCFullYear();
      const m = date.getUTCMonth() + 1;
      const d = date.getUTCDate();
      const startsAt = instantOf(y, m, d, start, timeZone, formatter);
      const endsAt =
        end > MINUTES_PER_DAY
          ? instantOf(y, m, d, end - MINUTES_PER_DAY, timeZone, formatter) + DAY_MS
          : instantOf(y, m, d, end, timeZone, formatter);
      if (startsAt <= now && now < endsAt) inside = true;
      if (startsAt <= now) lastBoundary = Math.max(lastBoundary, startsAt);
      if (endsAt <= now) lastBoundary = Math.max(lastBoundary, endsAt);
    }
  }
  return { inside, lastBoundary: Number.isFinite(lastBoundary) ? new Date(lastBoundary) : null };
}

export type PresenceInput = {
  presence: PresenceState;
  presenceSetAt?: Date | null;
  lastSeenAt?: Date | null;
  timeZone?: string | null;
  workingHours?: WorkingDay[] | null;
};

export type EffectivePresence = {
  state: PresenceState;
  /** Why: the agent's own choice, their working hours, or not seen for a while (online → away). */
  reason: 'manual' | 'hours' | 'inactive';
  /** Inside working hours now; null without working hours. */
  inHours: boolean | null;
};

/**
 * An agent's effective state at `now`: with working hours, the schedule's state (online inside hours,
 * offline outside) unless the agent chose a state after the last boundary — a choice holds until the next
 * start or end of hours. Then, online but not seen for `awayAfterMs` counts as away.
 */
export function effectivePresence(agent: PresenceInput, now: Date, awayAfterMs: number): EffectivePresence {
  let state = agent.presence;
  let reason: EffectivePresence['reason'] = 'manual';
  let inHours: boolean | null = null;
  if (agent.workingHours?.length && agent.timeZone && isTimeZone(agent.timeZone)) {
    const schedule = scheduleAt(agent.workingHours, agent.timeZone, now);
    inHours = schedule.inside;
    const choseSince =
      agent.presenceSetAt && schedule.lastBoundary && agent.presenceSetAt >= schedule.lastBoundary;
    if (schedule.lastBoundary && !choseSince) {
      state = schedule.inside ? 'online' : 'offline';
      reason = 'hours';
    }
  }
  if (state === 'online') {
    const seen = agent.lastSeenAt?.getTime() ?? Number.NEGATIVE_INFINITY;
    if (now.getTime() - seen > awayAfterMs) return { state: 'away', reason: 'inactive', inHours };
  }
  return { state, reason, inHours };
}
