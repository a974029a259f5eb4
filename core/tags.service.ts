import { LockMode } from '@mikro-orm/core';
import type { AgentQueueResponse } from '../contract/agent-api.ts';
import {
  MAX_TAGS_PER_TICKET,
  normaliseTag,
  type OpenTagsResponse,
  tagProblem,
} from '../contract/tags-api.ts';
import { Agent, Ticket, TicketTag } from '../db/entities/index.ts';
import type { EntityManager } from '../db/orm.ts';
import { DomainError, NotFound } from './errors.ts';

/** A tag that breaks the rules (contract/tags-api.ts), or one too many: 400, nothing changed. */
export class InvalidTag extends DomainError {
  constructor(message: string) {
    super('validation_failed', message);
  }
}

/** Normalises and checks tags; the first bad one is named. Duplicates collapse. */
export function parseTags(raw: readonly string[]): string[] {
  const tags: string[] = [];
  for (const value of raw) {
    const tag = normaliseTag(value);
    const problem = tagProblem(tag);
    if (problem) throw new InvalidTag(`tag “${value.slice(0, 40)}”: ${problem}`);
    if (!tags.includes(tag)) tags.push(tag);
  }
  return tags;
}

/**
 * The tags on not-closed tickets. `status in ('open', 'claimed')` names the live statuses, which an index
 * on `status` serves (`<> 'closed'` is served only by the partial index `tickets_one_open_per_session`,
 * by luck of its predicate): the few live tickets are read through an index, then their tags through
 * `ticket_tags (ticket_id, tag)`; closed tickets, most of them, are never read.
 */
export const OPEN_TAGS_SQL = `select g.ticket_id, g.tag from tickets t join ticket_tags g on g.ticket_id = t.id
  where t.status in ('open', 'claimed') order by g.ticket_id, g.id`;

/** Which of the given tickets (a PostgreSQL int array literal) carry the tag: only those are read. */
export const TAGGED_AMONG_SQL =
  'select ticket_id from ticket_tags where tag = ? and ticket_id = any(?::int[])';

export type TagService = ReturnType<typeof createTagService>;

/** Tags on tickets (issue 13 §5): any agent adds and removes them, on tickets of any status. */
export function createTagService({ em }: { em: EntityManager }) {
  const sql = <T>(query: string, params: unknown[]) => em.getConnection().execute<T[]>(query, params);

  const tagsOf = async (ticketId: number) =>
    (
      await sql<{ tag: string }>('select tag from ticket_tags where ticket_id = ? order by id', [ticketId])
    ).map((row) => row.tag);

  const ensureTicket = async (ticketId: number) => {
    if (!(await em.count(Ticket, { id: ticketId }))) throw new NotFound('Ticket');
  };

  return {
    /** The ticket's tags, in the order they were added. */
    async list(ticketId: number): Promise<string[]> {
      await ensureTicket(ticketId);
      return tagsOf(ticketId);
    },

    /**
     * Adds tags (normalised; already there: kept once). All or nothing: one bad tag, or more than
     * MAX_TAGS_PER_TICKET in all, refuses the lot. Returns the tags now.
     */
    async add(ticketId: number, agentId: number, raw: readonly string[]): Promise<string[]> {
      const wanted = parseTags(raw);
      if (wanted.length === 0) throw new InvalidTag('tags: name at least one tag, e.g. vip');
      return em.transactional(async (tx) => {
        const ticket = await tx.findOne(Ticket, ticketId, { lockMode: LockMode.PESSIMISTIC_WRITE });
        if (!ticket) throw new NotFound('Ticket');
        const existing = (await tx.find(TicketTag, { ticket }, { orderBy: { id: 'asc' } })).map((t) => t.tag);
        const added = wanted.filter((tag) => !existing.includes(tag));
        if (existing.length + added.length > MAX_TAGS_PER_TICKET) {
          throw new InvalidTag(
            `tags: a ticket has at most ${MAX_TAGS_PER_TICKET} tags (#${ticketId} has ${existing.length}; remove some first)`,
          );
        }
        const agent = await tx.findOne(Agent, agentId);
        for (const tag of added) tx.create(TicketTag, { ticket, tag, agent });
        await tx.flush();
        return [...existing, ...added];
      });
    },

    /** Removes tags (normalised; absent ones are ignored). Returns the tags now. */
    async remove(ticketId: number, raw: readonly string[]): Promise<string[]> {
      const tags = parseTags(raw);
      await ensureTicket(ticketId);
      if (tags.length) await em.nativeDelete(TicketTag, { ticket: ticketId, tag: { $in: tags } });
      return tagsOf(ticketId);
    },

    /** Tags on not-closed tickets, most used first, and each such ticket's tags (the queue's filter). */
    async open(): Promise<OpenTagsResponse> {
      const rows = await sql<{ ticket_id: number; tag: string }>(OPEN_TAGS_SQL, []);
      const tickets: Record<string, string[]> = {};
      const counts = new Map<string, number>();
      for (const row of rows) {
        const list = tickets[String(row.ticket_id)] ?? [];
        list.push(row.tag);
        tickets[String(row.ticket_id)] = list;
        counts.set(row.tag, (counts.get(row.tag) ?? 0) + 1);
      }
      const tags = [...counts]
        .map(([tag, count]) => ({ tag, count }))
        .sort((a, b) => b.count - a.count || a.tag.localeCompare(b.tag));
      return { tags, tickets };
    },

    /** The queue's lists with only the tickets carrying `tag` (normalised; a bad tag is a 400). */
    async filterQueue(queue: AgentQueueResponse, raw: string): Promise<AgentQueueResponse> {
      const [tag] = parseTags([raw]);
      // Only the tickets already in the queue are looked up, never every ticket ever given the tag.
      const inQueue = [...new Set([...queue.unclaimed, ...queue.mine, ...queue.open].map((item) => item.id))];
      const rows = inQueue.length
        ? await sql<{ ticket_id: number }>(TAGGED_AMONG_SQL, [tag, `{${inQueue.join(',')}}`])
        : [];
      const ids = new Set(rows.map((row) => row.ticket_id));
      return {
        unclaimed: queue.unclaimed.filter((item) => ids.has(item.id)),
        mine: queue.mine.filter((item) => ids.has(item.id)),
        open: queue.open.filter((item) => ids.has(item.id)),
      };
    },
  };
}
