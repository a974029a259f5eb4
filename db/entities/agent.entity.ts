import { defineEntity, p } from '@mikro-orm/core';
import { Ticket } from './ticket.entity.ts';

/** What an agent chose (`/online`, `/away`, `/offline`, the Mini App's toggle). */
export const PRESENCE_STATES = ['online', 'away', 'offline'] as const;
export type PresenceState = (typeof PRESENCE_STATES)[number];

/** One working day: `day` 0 = Sunday … 6 = Saturday; `start` / `end` as `HH:MM` in the agent's time zone. */
export type WorkingDay = { day: number; start: string; end: string };

export const AgentSchema = defineEntity({
  name: 'Agent',
  tableName: 'agents',
  properties: {
    id: p.integer().primary().autoincrement(),
    name: p.string().length(200),
    tgChatId: p.bigint('number').unique(),
    tgUsername: p.string().length(64).nullable(),
    skills: p.array().default([]),
    /** The agent's own choice; the effective state also follows working hours and inactivity (core/presence.service.ts). */
    presence: p.enum(PRESENCE_STATES).default('offline'),
    /** When `presence` was chosen: a choice holds until the next working-hours boundary after it. */
    presenceSetAt: p.datetime().nullable(),
    /** The last Telegram update or Mini App request from the agent (written at most about once a minute). */
    lastSeenAt: p.datetime().nullable(),
    /** The agent's IANA time zone, for working hours. */
    timeZone: p.string().length(64).nullable(),
    /** The weekly schedule (null: no working hours, presence is manual only). */
    workingHours: p.json<WorkingDay[]>().nullable(),
    /** The ticket an agent's plain DM messages go to (DESIGN.md §4). */
    activeTicket: () => p.manyToOne(Ticket).nullable().deleteRule('set null'),
  },
});

export class Agent extends AgentSchema.class {}
AgentSchema.setClass(Agent);
