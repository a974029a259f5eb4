/** How the header words the usual first-reply time (`typical_reply_seconds` of GET /api/config). */
export type ReplyTime =
  | { kind: 'unknown' }
  | { kind: 'minute' }
  | { kind: 'fewMinutes' }
  | { kind: 'minutes'; minutes: number }
  | { kind: 'hour' }
  | { kind: 'hours' }
  | { kind: 'day' };

/**
 * Rounded the way people say it: under a minute, a few minutes (under 10), about N minutes (in fives),
 * about an hour (under 2 h), a few hours (under a day), within a day; `unknown` without data.
 */
export function replyTime(seconds: number | null | undefined): ReplyTime {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return { kind: 'unknown' };
  const minutes = seconds / 60;
  if (minutes < 1) return { kind: 'minute' };
  if (minutes < 10) return { kind: 'fewMinutes' };
  if (minutes < 57.5) return { kind: 'minutes', minutes: Math.round(minutes / 5) * 5 };
  if (minutes < 120) return { kind: 'hour' };
  if (minutes < 24 * 60) return { kind: 'hours' };
  return { kind: 'day' };
}
