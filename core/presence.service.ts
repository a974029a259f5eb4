import { LockMode } from '@mikro-orm/core';
import type { PresenceState, WorkingDay } from '../db/entities/agent.entity.ts';
import { Agent, Setting, Ticket } from '../db/entities/index.ts';
import type { EntityManager } from '../db/orm.ts';
import { InvalidText, NotFound } from './errors.ts';
import type { Outbox } from './outbox.ts';
import {
  type CategorySkills,
  hasSkill,
  normalizeSkill,
  SKILLS_PER_AGENT_MAX,
  skillsOfCategory,
} from './skills.ts';
import { type EffectivePresence, effectivePresence, isTimeZone, minutesOf } from './working-hours.ts';

export type PresenceService = ReturnType<typeof createPresenceService>;

/** An agent as the team sees them: who, their effective state and why, skills, load, last activity. */
export type TeamMember = {
  id: number;
  name: string;
  username: string | null;
  tgChatId: number;
  /** What the agent chose. */
  chosen: PresenceState;
  /** What counts now (working hours, inactivity). */
  state: PresenceState;
  reason: EffectivePresence['reason'];
  inHours: boolean | null;
  skills: string[];
  /** Claimed, not closed tickets. */
  openTickets: number;
  lastSeenAt: Date | null;
  timeZone: string | null;
  workingHours: WorkingDay[] | null;
};

/**
 * Where the support group's cards keep what they last showed of the team (one row in `settings`): the
 * online agents, as JSON `ShownAgent[]` ordered by id.
 */
const CARDS_KEY = 'presence.cards';

/** An online agent as the unclaimed cards see them: who (as named on the card) and their skills. */
type ShownAgent = { id: number; name: string; username: string | null; tgChatId: number; skills: string[] };

/** The stored online agents; null when unreadable (an earlier format): every card counts as changed. */
function parseShown(value: string): ShownAgent[] | null {
  if (value === '') return [];
  try {
    const parsed: unknown = JSON.parse(value);
    const readable =
      Array.isArray(parsed) &&
      parsed.every((agent) => typeof agent?.id === 'number' && Array.isArray(agent.skills));
    return readable ? (parsed as ShownAgent[]) : null;
  } catch {
    return null;
  }
}

/** What a card of a category needing `needed` shows of `online` (bot/render/card.ts): who, as named there. */
function cardLine(online: readonly ShownAgent[], needed: readonly string[]): string {
  return JSON.stringify(
    online
      .filter((agent) => hasSkill(agent.skills, needed))
      .map((agent) => (agent.username ? `@${agent.username}` : [agent.tgChatId, agent.name])),
  );
}

/** Who is online and what they can take: what auto-assignment depends on. */
function routingKey(online: readonly ShownAgent[]): string {
  return online.map((agent) => `${agent.id}:${agent.skills.join('|')}`).join(',');
}

/** "Last seen" is written at most this often per agent (per process; the SQL checks it across instances). */
const SEEN_WRITE_INTERVAL_MS = 60_000;
export const DEFAULT_AWAY_AFTER_MS = 15 * 60_000;

/**
 * Presence and skills (issue 13 §1–2). Agents choose online / away / offline; working hours switch them
 * at each start and end of hours (a choice holds until the next boundary); an agent not seen for
 * `awayAfterMs` counts as away. `availableAgents` is what routing uses: the agents effectively online
 * (with a skill), their load and last activity. `now` is injectable (tests).
 */
export function createPresenceService({
  em,
  outbox,
  categorySkills = {},
  awayAfterMs = DEFAULT_AWAY_AFTER_MS,
  now = () => new Date(),
  autoAssign = false,
}: {
  em: EntityManager;
  outbox: Outbox;
  categorySkills?: CategorySkills;
  awayAfterMs?: number;
  now?: () => Date;
  /** ASSIGNMENT=auto: a change of who is online rebalances offers (core/assignment.service.ts). */
  autoAssign?: boolean;
}) {
  const sql = <T>(query: string, params: unknown[]) => em.getConnection().execute<T[]>(query, params);
  /** When this process last wrote each agent's last_seen_at. */
  const seenWritten = new Map<number, number>();

  const members = async (): Promise<TeamMember[]> => {
    const [agents, loads] = await Promise.all([
      em.find(Agent, {}, { orderBy: { name: 'asc', id: 'asc' } }),
      sql<{ agent_id: number; count: number }>(
        `select assigned_agent_id as agent_id, count(*)::int as count from tickets
          where status = 'claimed' and assigned_agent_id is not null group by assigned_agent_id`,
        [],
      ),
    ]);
    const at = now();
    return agents.map((agent) => {
      const effective = effectivePresence(agent, at, awayAfterMs);
      return {
        id: agent.id,
        name: agent.name,
        username: agent.tgUsername ?? null,
        tgChatId: agent.tgChatId,
        chosen: agent.presence,
        state: effective.state,
        reason: effective.reason,
        inHours: effective.inHours,
        skills: [...agent.skills],
        openTickets: loads.find((row) => row.agent_id === agent.id)?.count ?? 0,
        lastSeenAt: agent.lastSeenAt ?? null,
        timeZone: agent.timeZone ?? null,
        workingHours: agent.workingHours ?? null,
      };
    });
  };

  /** The effectively online agents as the cards show them, by id (what the settings row keeps). */
  const onlineAgents = async (manager: EntityManager): Promise<ShownAgent[]> =>
    onlineOf(await manager.find(Agent, {}, { orderBy: { id: 'asc' } }));
  const onlineOf = (agents: Agent[]): ShownAgent[] => {
    const at = now();
    return agents
      .filter((agent) => effectivePresence(agent, at, awayAfterMs).state === 'online')
      .map((agent) => ({
        id: agent.id,
        name: agent.name,
        username: agent.tgUsername ?? null,
        tgChatId: agent.tgChatId,
        skills: [...agent.skills],
      }));
  };

  const loadAgent = async (agentId: number) => {
    const agent = await em.findOne(Agent, agentId);
    if (!agent) throw new NotFound('Agent');
    return agent;
  };

  const service = {
    /** The skills a ticket of `category` needs. */
    skillsOfCategory: (category: string | null | undefined) => skillsOfCategory(categorySkills, category),

    /** Every agent with their effective state (the Team screen). */
    team: members,

    /** One agent's effective state (and the rest of what the team sees of them). */
    async member(agentId: number): Promise<TeamMember> {
      const member = (await members()).find((candidate) => candidate.id === agentId);
      if (!member) throw new NotFound('Agent');
      return member;
    },

    /**
     * The agents effectively online who can take a ticket needing `skill` (or of `category`; neither: every
     * online agent), least loaded first, then longest idle. What auto-assignment and transfer menus use.
     */
    async availableAgents({ skill, category }: { skill?: string; category?: string | null } = {}) {
      const needed = skill ? [normalizeSkill(skill) ?? skill] : skillsOfCategory(categorySkills, category);
      return (await members())
        .filter((member) => member.state === 'online' && hasSkill(member.skills, needed))
        .sort(
          (a, b) =>
            a.openTickets - b.openTickets ||
            (a.lastSeenAt?.getTime() ?? 0) - (b.lastSeenAt?.getTime() ?? 0) ||
            a.id - b.id,
        );
    },

    /**
     * The agent was seen (a Telegram update, a Mini App request). Cheap: at most one write per agent a minute
     * per process, and the UPDATE itself skips a row written in the last minute by another instance.
     */
    async seen(agentId: number): Promise<void> {
      const at = now().getTime();
      const last = seenWritten.get(agentId);
      if (last !== undefined && at - last < SEEN_WRITE_INTERVAL_MS) return;
      seenWritten.set(agentId, at);
      if (seenWritten.size > 10_000) seenWritten.clear();
      const stamp = new Date(at).toISOString();
      const written = await sql<{ previous: Date | string | null }>(
        `with old as (select id, last_seen_at from agents where id = ?)
         update agents a set last_seen_at = ?::timestamptz from old
          where a.id = old.id and (old.last_seen_at is null or old.last_seen_at < ?::timestamptz - interval '50 seconds')
          returning old.last_seen_at as previous`,
        [agentId, stamp, stamp],
      );
      const previous = written[0]?.previous;
      // Back from inactivity: the unclaimed cards may name them again.
      if (written.length && (!previous || at - new Date(previous).getTime() > awayAfterMs)) {
        await service.refreshCardsIfTeamChanged();
      }
    },

    /** `/online`, `/away`, `/offline`, the Mini App's toggle: holds until the next working-hours boundary. */
    async setPresence(agentId: number, state: PresenceState): Promise<TeamMember> {
      const agent = await loadAgent(agentId);
      const at = now();
      agent.presence = state;
      agent.presenceSetAt = at;
      agent.lastSeenAt = at;
      await em.flush();
      seenWritten.set(agentId, at.getTime());
      await service.refreshCardsIfTeamChanged();
      return service.member(agentId);
    },

    /** An agent's skills (normalised, deduplicated); a malformed one is refused (400). */
    async setSkills(agentId: number, skills: string[]): Promise<TeamMember> {
      const normalized: string[] = [];
      for (const raw of skills) {
        const skill = normalizeSkill(raw);
        if (!skill)
          throw new InvalidText('skills', `“${raw.slice(0, 40)}” is not a skill (letters, digits, - and _)`);
        if (!normalized.includes(skill)) normalized.push(skill);
      }
      if (normalized.length > SKILLS_PER_AGENT_MAX)
        throw new InvalidText('skills', `at most ${SKILLS_PER_AGENT_MAX} skills`);
      const agent = await loadAgent(agentId);
      agent.skills = normalized;
      await em.flush();
      await service.refreshCardsIfTeamChanged();
      return service.member(agentId);
    },

    /** Working hours: an IANA time zone and a weekly schedule; `null` removes them. */
    async setWorkingHours(
      agentId: number,
      hours: { timeZone: string; days: WorkingDay[] } | null,
    ): Promise<TeamMember> {
      if (hours) {
        if (!isTimeZone(hours.timeZone)) throw new InvalidText('time_zone', 'not a known IANA time zone');
        for (const day of hours.days) {
          if (minutesOf(day.start) === null || minutesOf(day.end) === null)
            throw new InvalidText('days', 'times are HH:MM (00:00–24:00)');
          if (day.start === day.end)
            throw new InvalidText('days', 'a day’s hours cannot start when they end');
        }
      }
      const agent = await loadAgent(agentId);
      agent.timeZone = hours?.timeZone ?? agent.timeZone ?? null;
      agent.workingHours = hours?.days.length ? hours.days : null;
      await em.flush();
      await service.refreshCardsIfTeamChanged();
      return service.member(agentId);
    },

    /**
     * The unclaimed tickets' cards name the online agents with the ticket's skill. The settings row keeps
     * the online agents as the cards last saw them; when that changed, only the open tickets whose card
     * would now name someone else (their category's list of online agents, or how they are named,
     * changed) are refreshed, through the durable card jobs (one waiting refresh per ticket): an agent
     * with one skill going away does not re-render every card in the group. With ASSIGNMENT=auto, a
     * change of who is online (or their skills) also rebalances offers. Called after each change and
     * periodically, for the changes the clock makes (working hours, inactivity); safe on several
     * instances (the row lock lets one of them at a time compare and write). Answers how many cards were
     * requested.
     */
    async refreshCardsIfTeamChanged(): Promise<number> {
      // One read (the row and the team) when nothing changed, the periodic look's usual case; the row
      // is compared again under its lock before anything is written.
      const reader = em.fork();
      const rows = await sql<{ shown: string; id: number | null }>(
        `select s.value as shown, a.* from settings s left join agents a on true where s.key = ? order by a.id`,
        [CARDS_KEY],
      );
      const team = rows.filter((row) => row.id !== null).map((row) => reader.map(Agent, row));
      if (rows[0] && rows[0].shown === JSON.stringify(onlineOf(team))) return 0;
      await sql(`insert into settings (key, value) values (?, '[]') on conflict (key) do nothing`, [
        CARDS_KEY,
      ]);
      return em.transactional(async (tx) => {
        const row = await tx.findOne(Setting, CARDS_KEY, { lockMode: LockMode.PESSIMISTIC_WRITE });
        if (!row) return 0;
        // Read under the lock: what is written is what this instance saw after the previous writer.
        const online = await onlineAgents(tx);
        const value = JSON.stringify(online);
        if (row.value === value) return 0;
        const before = parseShown(row.value);
        row.value = value;
        await tx.flush();
        const open = await tx.execute<{ id: number; category: string | null }[]>(
          `select id, category from tickets where status = 'open' order by id`,
          [],
        );
        // The line each category's card shows, before and now (null before: unknown, so changed).
        const changedByCategory = new Map<string, boolean>();
        const changed = (category: string | null) => {
          const key = category ?? '';
          let result = changedByCategory.get(key);
          if (result === undefined) {
            const needed = skillsOfCategory(categorySkills, category);
            result = !before || cardLine(before, needed) !== cardLine(online, needed);
            changedByCategory.set(key, result);
          }
          return result;
        };
        let cards = 0;
        for (const ticket of open) {
          if (!changed(ticket.category)) continue;
          await outbox.enqueue(tx, { type: 'ticket.card', ticketId: Number(ticket.id) });
          cards += 1;
        }
        // ASSIGNMENT=auto: offers to agents no longer online move on; newly online agents get waiting tickets.
        if (autoAssign && (!before || routingKey(before) !== routingKey(online)))
          await outbox.enqueue(tx, { type: 'tickets.assign-waiting' });
        return cards;
      });
    },

    /** The online agents a ticket's card names (its category's skill). */
    async onlineForTicket(ticketId: number): Promise<TeamMember[]> {
      const ticket = await em.findOne(Ticket, ticketId, { fields: ['id', 'category'] });
      if (!ticket) throw new NotFound('Ticket');
      return service.availableAgents({ category: ticket.category });
    },
  };
  return service;
}
