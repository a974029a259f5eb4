import { z } from 'zod';
import { text } from './text.ts';

/**
 * Reports for a period (issue 13 §6): `GET /api/agent/reports?from=YYYY-MM-DD&to=YYYY-MM-DD&tz=Area/City`
 * (both days included, counted in `tz`, at most `REPORT_MAX_DAYS` days), and the same as CSV with
 * `GET /api/agent/reports.csv?…`.
 */

export const REPORT_MAX_DAYS = 366;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export const reportQuerySchema = z
  .object({
    from: z.string().regex(DATE, 'must be a date, YYYY-MM-DD'),
    to: z.string().regex(DATE, 'must be a date, YYYY-MM-DD'),
    /** An IANA time zone name (Europe/Berlin), never an offset such as +05 (core/time-zone.ts). */
    tz: text({ max: 64 }).default('UTC'),
  })
  .strict();
export type ReportQuery = z.infer<typeof reportQuerySchema>;

/** Median and 90th percentile in seconds (null without data), over `count` tickets. */
export const durationStatsSchema = z.object({
  count: z.number().int(),
  median_seconds: z.number().nullable(),
  p90_seconds: z.number().nullable(),
});
export type DurationStats = z.infer<typeof durationStatsSchema>;

export const timingRowSchema = z.object({
  /** The agent's or category's name (`(none)` for tickets without a category). */
  name: z.string(),
  first_response: durationStatsSchema,
  resolution: durationStatsSchema,
});
export type TimingRow = z.infer<typeof timingRowSchema>;

export const reportResponseSchema = z.object({
  from: z.string(),
  to: z.string(),
  tz: z.string(),
  /** Every day of the period, also those without tickets. */
  days: z.array(z.object({ day: z.string(), opened: z.number().int(), closed: z.number().int() })),
  /** First agent reply after opening; resolution: opening to closing. Tickets opened in the period. */
  totals: timingRowSchema,
  by_agent: z.array(timingRowSchema),
  by_category: z.array(timingRowSchema),
  /** Closed tickets of the period: how many were rated 1…5 (`ratings[0]` is 1 star). */
  csat: z.object({
    closed: z.number().int(),
    rated: z.number().int(),
    ratings: z.array(z.number().int()),
    /** rated / closed, 0…1, null without closed tickets. */
    rated_share: z.number().nullable(),
    average: z.number().nullable(),
  }),
  /** Tickets opened by weekday (0 Monday … 6 Sunday) × hour (0…23) in `tz`: `busiest[weekday][hour]`. */
  busiest: z.array(z.array(z.number().int())),
});
export type ReportResponse = z.infer<typeof reportResponseSchema>;
