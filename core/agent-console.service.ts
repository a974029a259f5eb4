import type {
  AgentMessageView,
  AgentQueueItem,
  AgentQueueResponse,
  AgentTicketResponse,
  AgentTicketView,
  TodayStatsResponse,
} from '../contract/agent-api.ts';
import { Message, Pass, Ticket } from '../db/entities/index.ts';
import type { EntityManager } from '../db/orm.ts';
import { NotFound } from './errors.ts';
import { toContactView, toMessageView, toTicketView } from './views.ts';

export type AgentConsoleService = ReturnType<typeof createAgentConsoleService>;

/** How many not-closed tickets the queue lists at most. */
const QUEUE_LIMIT = 500;

type QueueRow = {
  id: number;
  status: Ticket['status'];
  priority: Ticket['priority'];
  category: string | null;
  created_at: Date | string;
  assigned_agent_id: number | null;
  agent_name: string | null;
  preview: string | null;
  passes: number;
  passed_by_me: boolean;
  unread: number;
  last_message_at: Date | string | null;
  age_seconds: number;
};

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

/**
 * A message with what agents also see: whether Telegram refused to deliver it, and why; whether it was
 * deleted; whether `agentId` wrote it.
 */
const toAgentMessageView = (message: Message, agentId: number): AgentMessageView => ({
  ...toMessageView(message),
  undeliverable: message.undeliverableAt
    ? { at: message.undeliverableAt.toISOString(), reason: message.deliveryError ?? 'refused by Telegram' }
    : null,
  deleted_at: message.deletedAt ? message.deletedAt.toISOString() : null,
  mine: message.sender === 'agent' && message.agent?.id === agentId,
});

/** The Mini App's read side: the queue's three lists, one ticket with its visitor, today's numbers. */
export function createAgentConsoleService({ em }: { em: EntityManager }) {
  const sql = <T>(query: string, params: unknown[]) => em.getConnection().execute<T[]>(query, params);

  const agentTicketView = async (ticket: Ticket, agentId: number): Promise<AgentTicketView> => {
    const passes = await em.find(Pass, { ticket }, { populate: ['agent'], orderBy: { id: 'asc' } });
    return {
      ...toTicketView(ticket),
      mine: ticket.assignedAgent?.id === agentId,
      priority: ticket.priority,
      passed_by: passes.map((pass) => pass.agent.name),
      rating_comment: ticket.ratingComment ?? null,
    };
  };

  return {
    /** Every not-closed ticket once, split into the lists the app shows; oldest first. */
    async queue(agentId: number): Promise<AgentQueueResponse> {
      const rows = await sql<QueueRow>(
        `select t.id, t.status, t.priority, t.category, t.created_at, t.assigned_agent_id, a.name as agent_name,
           floor(extract(epoch from (now() - t.created_at)))::int as age_seconds,
           (select case when m.body <> '' then m.body else '📎 Attachment' end from messages m
              where m.ticket_id = t.id and m.sender = 'visitor' order by m.id limit 1) as preview,
           (select count(*)::int from passes p where p.ticket_id = t.id) as passes,
           exists (select 1 from passes p where p.ticket_id = t.id and p.agent_id = ?) as passed_by_me,
           case when t.assigned_agent_id is null then 0 else
             (select count(*)::int from messages m where m.ticket_id = t.id and m.sender = 'visitor'
                and m.id > coalesce((select max(r.id) from messages r where r.ticket_id = t.id and r.sender = 'agent'), 0))
           end as unread,
           (select max(m.created_at) from messages m where m.ticket_id = t.id) as last_message_at
         from tickets t left join agents a on a.id = t.assigned_agent_id
         where t.status <> 'closed'
         order by (case t.priority when 'high' then 0 when 'normal' then 1 else 2 end), t.id limit ?`,
        [agentId, QUEUE_LIMIT],
      );
      const items: AgentQueueItem[] = rows.map((row) => ({
        id: row.id,
        status: row.status,
        priority: row.priority,
        category: row.category,
        preview: row.preview ?? '',
        passes: row.passes,
        passed_by_me: Boolean(row.passed_by_me),
        created_at: iso(row.created_at) as string,
        age_seconds: Math.max(0, row.age_seconds),
        agent_name: row.agent_name,
        mine: row.assigned_agent_id === agentId,
        unread: row.unread,
        last_message_at: iso(row.last_message_at),
      }));
      return {
        unclaimed: items.filter((item) => item.status === 'open'),
        mine: items.filter((item) => item.mine),
        open: items,
      };
    },

    /** A ticket (any status) with its whole conversation and the visitor's details. */
    async ticket(ticketId: number, agentId: number): Promise<AgentTicketResponse> {
      const ticket = await em.findOne(Ticket, ticketId, { populate: ['assignedAgent', 'session'] });
      if (!ticket) throw new NotFound('Ticket');
      const { session } = ticket;
      const [view, messages, previousTickets] = await Promise.all([
        agentTicketView(ticket, agentId),
        em.find(Message, { ticket }, { orderBy: { id: 'asc' }, populate: ['agent'] }),
        em.count(Ticket, { session, id: { $lt: ticket.id } }),
      ]);
      return {
        ticket: view,
        visitor: {
          session_id: session.id,
          locale: session.locale ?? null,
          referrer: session.referer ?? null,
          user_agent: session.userAgent ?? null,
          contact: toContactView(session),
          first_seen_at: session.createdAt.toISOString(),
          last_seen_at: session.lastSeenAt.toISOString(),
          previous_tickets: previousTickets,
          page: session.pageUrl ? { url: session.pageUrl, title: session.pageTitle ?? null } : null,
          utm: session.utm ?? null,
          time_zone: session.timeZone ?? null,
          identity: session.externalId
            ? {
                id: session.externalId,
                name: session.visitorName ?? null,
                email: session.visitorEmail ?? null,
              }
            : null,
        },
        messages: messages.map((message) => toAgentMessageView(message, agentId)),
      };
    },

    /** The ticket as the agent sees it (after claim, pass or close). */
    async ticketView(ticketId: number, agentId: number): Promise<AgentTicketView> {
      const ticket = await em.findOne(Ticket, ticketId, { populate: ['assignedAgent'], refresh: true });
      if (!ticket) throw new NotFound('Ticket');
      return agentTicketView(ticket, agentId);
    },

    /**
     * Today's numbers since `since`: tickets open now, closed since then, the median time from a ticket's
     * creation to its first agent reply (over first replies given since then), and the ratings of tickets
     * closed since then.
     */
    async todayStats(since: Date): Promise<TodayStatsResponse> {
      const from = since.toISOString();
      const [counts, replies, ratings, undeliverable] = await Promise.all([
        // Each part reads only today's rows or the tickets not closed (indexes on status and closed_at),
        // never every ticket ever.
        sql<{ unclaimed: number; claimed: number; closed: number }>(
          `select (select count(*)::int from tickets where status = 'open') as unclaimed,
             (select count(*)::int from tickets where status = 'claimed') as claimed,
             (select count(*)::int from tickets where closed_at >= ?::timestamptz and status = 'closed') as closed`,
          [from],
        ),
        // First replies given since then: the agent messages since then (a partial index on their time),
        // by ticket, keeping the tickets with no agent reply before.
        sql<{ median: number | null; replied: number }>(
          `select percentile_cont(0.5) within group (order by extract(epoch from (f.first_reply - t.created_at)))::float8 as median,
             count(*)::int as replied
           from (select m.ticket_id, min(m.created_at) as first_reply from messages m
                  where m.sender = 'agent' and m.created_at >= ?::timestamptz group by m.ticket_id) f
           join tickets t on t.id = f.ticket_id
           where not exists (select 1 from messages e where e.ticket_id = f.ticket_id and e.sender = 'agent'
                              and e.created_at < ?::timestamptz)`,
          [from, from],
        ),
        sql<{ rating: number; count: number }>(
          `select rating, count(*)::int as count from tickets
           where rating is not null and closed_at >= ?::timestamptz group by rating`,
          [from],
        ),
        sql<{ count: number }>(
          'select count(*)::int as count from messages where undeliverable_at >= ?::timestamptz',
          [from],
        ),
      ]);
      const count = counts[0] ?? { unclaimed: 0, claimed: 0, closed: 0 };
      const distribution = [1, 2, 3, 4, 5].map(
        (stars) => ratings.find((row) => Number(row.rating) === stars)?.count ?? 0,
      );
      const rated = distribution.reduce((sum, n) => sum + n, 0);
      const total = distribution.reduce((sum, n, index) => sum + n * (index + 1), 0);
      const median = replies[0]?.median;
      return {
        since: from,
        open_count: count.unclaimed + count.claimed,
        unclaimed_count: count.unclaimed,
        claimed_count: count.claimed,
        closed_count: count.closed,
        median_first_reply_seconds: median === null || median === undefined ? null : Number(median),
        first_replies: replies[0]?.replied ?? 0,
        ratings: {
          count: rated,
          average: rated ? Math.round((total / rated) * 100) / 100 : null,
          distribution,
        },
        undeliverable_count: undeliverable[0]?.count ?? 0,
      };
    },
  };
}
