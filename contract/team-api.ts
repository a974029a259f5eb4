import { z } from 'zod';

/**
 * The team's part of the agents' API (issue 13 §1–3): presence, skills, working hours, who is online, and
 * a ticket's priority. Same auth and error shape as `agent-api.ts`.
 */

export const TICKET_PRIORITIES = ['low', 'normal', 'high'] as const;
export const ticketPrioritySchema = z.enum(TICKET_PRIORITIES);
export type TicketPriority = z.infer<typeof ticketPrioritySchema>;

export const PRESENCE_STATES = ['online', 'away', 'offline'] as const;
export const presenceStateSchema = z.enum(PRESENCE_STATES);
export type PresenceStateView = z.infer<typeof presenceStateSchema>;

/** `HH:MM`, 00:00–24:00. */
const clock = z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'must be HH:MM (00:00–24:00)');

/** One working day: `day` 0 = Sunday … 6 = Saturday; an end at or before the start runs past midnight. */
export const workingDaySchema = z
  .object({ day: z.number().int().min(0).max(6), start: clock, end: clock })
  .strict()
  .refine((day) => day.start !== day.end, 'a day’s hours cannot start when they end');
export type WorkingDayView = z.infer<typeof workingDaySchema>;

export const teamMemberSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  username: z.string().nullable(),
  /** What counts now: the agent's choice, their working hours, or away after inactivity. */
  state: presenceStateSchema,
  /** What the agent chose (the toggle). */
  chosen: presenceStateSchema,
  reason: z.enum(['manual', 'hours', 'inactive']),
  /** Inside working hours now; null without working hours. */
  in_hours: z.boolean().nullable(),
  skills: z.array(z.string()),
  /** Claimed tickets not closed. */
  open_tickets: z.number().int(),
  last_seen_at: z.string().nullable(),
  time_zone: z.string().nullable(),
  working_hours: z.array(workingDaySchema).nullable(),
  /** The agent asking. */
  me: z.boolean(),
});
export type TeamMemberView = z.infer<typeof teamMemberSchema>;

/** GET /api/agent/team — everyone, online first; whether the asking agent is an admin (edits anyone's skills). */
export const teamResponseSchema = z.object({
  members: z.array(teamMemberSchema),
  /** An administrator of the support group (Telegram's getChatMember): may set anyone's skills. */
  admin: z.boolean(),
  /** The skills the configured categories need (suggestions for the skills editor). */
  category_skills: z.array(z.object({ category: z.string(), skills: z.array(z.string()) })),
});
export type TeamResponse = z.infer<typeof teamResponseSchema>;

/** PUT /api/agent/team/me/presence */
export const presenceRequestSchema = z.object({ state: presenceStateSchema }).strict();

/** PUT /api/agent/team/:agentId/skills (`me` for oneself; another agent: admins only). */
export const skillsRequestSchema = z.object({ skills: z.array(z.string().min(1).max(32)).max(20) }).strict();

/** PUT /api/agent/team/me/hours — `null` days (or an empty list) turns working hours off. */
export const workingHoursRequestSchema = z
  .object({
    time_zone: z.string().min(1).max(64),
    days: z.array(workingDaySchema).max(14),
  })
  .strict();

/** The answer of the three PUTs: the agent as the team now sees them. */
export const teamMemberResponseSchema = z.object({ member: teamMemberSchema });
export type TeamMemberResponse = z.infer<typeof teamMemberResponseSchema>;

/** PUT /api/agent/tickets/:id/priority */
export const priorityRequestSchema = z.object({ priority: ticketPrioritySchema }).strict();
