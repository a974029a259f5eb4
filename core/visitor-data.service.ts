import type { SystemEvent } from '../contract/api.ts';
import { Message, SupportSession, Ticket } from '../db/entities/index.ts';
import type { EntityManager } from '../db/orm.ts';
import { NotFound } from './errors.ts';
import type { Outbox } from './outbox.ts';
import { toContactView } from './views.ts';

export type VisitorDataService = ReturnType<typeof createVisitorDataService>;

/** One visitor's data as exported (JSON): the session, every ticket and every message, oldest first. */
export type VisitorExport = {
  exported_at: string;
  session: {
    id: string;
    created_at: string;
    last_seen_at: string;
    locale: string | null;
    referrer: string | null;
    user_agent: string | null;
    contact: { email: string | null; phone: string | null } | null;
    /** Who the host site said the visitor is (`Switchboard.identify`), or null. */
    identity: { id: string; name: string | null; email: string | null } | null;
    /** The last page the visitor was on, the landing page's UTM parameters, their time zone. */
    page: { url: string; title: string | null } | null;
    utm: Record<string, string> | null;
    time_zone: string | null;
  };
  tickets: {
    id: number;
    status: Ticket['status'];
    category: string | null;
    created_at: string;
    claimed_at: string | null;
    closed_at: string | null;
    agent_name: string | null;
    rating: number | null;
    rating_comment: string | null;
    messages: {
      id: number;
      sender: Message['sender'];
      agent_name: string | null;
      body: string;
      /**
       * For `sender = 'system'`: what happened, as a code with parameters (SYSTEM_EVENT_CODES; `body` is
       * its English wording); else null.
       */
      event: SystemEvent | null;
      /** The attached file's name (the file itself is not part of the export), or null. */
      attachment: string | null;
      created_at: string;
      /** When its author changed it / deleted it (a deleted message is still stored until erasure). */
      edited_at: string | null;
      deleted_at: string | null;
    }[];
  }[];
};

/** What an erasure removed. */
export type ErasureResult = { sessionId: string; ticketIds: number[]; messages: number };

/** Sessions removed per statement by the retention sweep. */
const RETENTION_BATCH = 100;

const iso = (date: Date | null | undefined) => (date ? date.toISOString() : null);

/**
 * A visitor's right to their data: export one session's conversations (JSON or a readable transcript)
 * and erase it completely. Erasure deletes the session row in one transaction; the database cascades to
 * its tickets, messages and passes (agents' active ticket is set null). The ticket cards already in the
 * support group are rewritten to say "erased" (a `ticket.erased` job per card, enqueued in the same
 * transaction: the job carries the card's message id, since the ticket row is gone when it runs); the
 * other Telegram copies (agents' DMs) are left. Files are removed by `removeFiles` after the commit.
 */
export function createVisitorDataService({ em, outbox }: { em: EntityManager; outbox: Outbox }) {
  const sql = <T>(query: string, params: unknown[]) => em.getConnection().execute<T[]>(query, params);

  /**
   * Erases one session inside the open transaction `tx`; answers what was removed, or null when the
   * session does not exist. `notifyCards` false leaves the group's cards as they are (retention).
   */
  const eraseIn = async (
    tx: EntityManager,
    sessionId: string,
    notifyCards: boolean,
  ): Promise<ErasureResult | null> => {
    const execute = <T>(query: string, params: unknown[]) => tx.execute<T[]>(query, params);
    // The row lock makes a concurrent erasure (or a message being stored) wait for this one.
    const locked = await execute<{ id: string }>(`select id from support_sessions where id = ? for update`, [
      sessionId,
    ]);
    if (locked.length === 0) return null;
    const tickets = await execute<{
      id: number;
      group_message_id: string | number | null;
      category: string | null;
    }>(`select id, group_message_id, category from tickets where session_id = ? order by id`, [sessionId]);
    const [{ count } = { count: 0 }] = await execute<{ count: number }>(
      `select count(*)::int as count from messages where session_id = ?`,
      [sessionId],
    );
    if (notifyCards) {
      for (const ticket of tickets) {
        if (ticket.group_message_id === null) continue;
        await outbox.enqueue(tx, {
          type: 'ticket.erased',
          ticketId: ticket.id,
          category: ticket.category,
          groupMessageId: Number(ticket.group_message_id),
        });
      }
    }
    // Tickets, messages and passes go with the session (on delete cascade).
    await execute(`delete from support_sessions where id = ?`, [sessionId]);
    return { sessionId, ticketIds: tickets.map((ticket) => ticket.id), messages: Number(count) };
  };

  return {
    /** The session a ticket belongs to (the Mini App names a visitor by a ticket). */
    async sessionOfTicket(ticketId: number): Promise<string> {
      const ticket = await em.findOne(Ticket, ticketId, { fields: ['id', 'session'] });
      if (!ticket) throw new NotFound('Ticket');
      return ticket.session.id;
    },

    /** Everything stored about one visitor session. */
    async export(sessionId: string): Promise<VisitorExport> {
      const session = await em.findOne(SupportSession, sessionId);
      if (!session) throw new NotFound('Session');
      const [tickets, messages] = await Promise.all([
        em.find(Ticket, { session: sessionId }, { orderBy: { id: 'asc' }, populate: ['assignedAgent'] }),
        em.find(Message, { session: sessionId }, { orderBy: { id: 'asc' }, populate: ['agent'] }),
      ]);
      return {
        exported_at: new Date().toISOString(),
        session: {
          id: session.id,
          created_at: session.createdAt.toISOString(),
          last_seen_at: session.lastSeenAt.toISOString(),
          locale: session.locale ?? null,
          referrer: session.referer ?? null,
          user_agent: session.userAgent ?? null,
          contact: toContactView(session),
          identity: session.externalId
            ? {
                id: session.externalId,
                name: session.visitorName ?? null,
                email: session.visitorEmail ?? null,
              }
            : null,
          page: session.pageUrl ? { url: session.pageUrl, title: session.pageTitle ?? null } : null,
          utm: session.utm ?? null,
          time_zone: session.timeZone ?? null,
        },
        tickets: tickets.map((ticket) => ({
          id: ticket.id,
          status: ticket.status,
          category: ticket.category ?? null,
          created_at: ticket.createdAt.toISOString(),
          claimed_at: iso(ticket.claimedAt),
          closed_at: iso(ticket.closedAt),
          agent_name: ticket.assignedAgent?.name ?? null,
          rating: ticket.rating ?? null,
          rating_comment: ticket.ratingComment ?? null,
          messages: messages
            .filter((message) => message.ticket.id === ticket.id)
            .map((message) => ({
              id: message.id,
              sender: message.sender,
              agent_name: message.agent?.name ?? null,
              body: message.body,
              event: message.systemEvent ?? null,
              attachment: message.mediaUrl ? (message.mediaUrl.split('/').pop() ?? null) : null,
              created_at: message.createdAt.toISOString(),
              edited_at: iso(message.editedAt),
              deleted_at: iso(message.deletedAt),
            })),
        })),
      };
    },

    /**
     * Erases one session completely (see above); `removeFiles` runs after the commit (the session's media
     * folder). NotFound when there is no such session.
     */
    async erase(
      sessionId: string,
      removeFiles: (sessionId: string) => Promise<void>,
    ): Promise<ErasureResult> {
      const result = await em.transactional((tx) => eraseIn(tx, sessionId, true));
      if (!result) throw new NotFound('Session');
      await removeFiles(sessionId);
      return result;
    },

    /**
     * Retention: erases the sessions whose tickets are all closed before `cutoff` (and sessions created
     * before it that never opened a ticket), with their messages and files, a batch at a time. The group's
     * cards are left as they are (a sweep must not flood the group with edits). Returns how many sessions
     * were erased.
     */
    async eraseConversationsClosedBefore(
      cutoff: Date,
      removeFiles: (sessionId: string) => Promise<void>,
    ): Promise<number> {
      let erased = 0;
      for (;;) {
        const expired = await sql<{ id: string }>(
          `select s.id from support_sessions s
            where s.created_at < ?
              and not exists (select 1 from tickets t where t.session_id = s.id
                                and (t.status <> 'closed' or t.closed_at is null or t.closed_at >= ?))
            order by s.created_at limit ?`,
          [cutoff, cutoff, RETENTION_BATCH],
        );
        if (expired.length === 0) return erased;
        for (const { id } of expired) {
          // Checked again under the session's row lock (a visitor message updates that row too): the
          // conversation may have been reopened meanwhile.
          const result = await em.transactional(async (tx) => {
            await tx.execute(`select id from support_sessions where id = ? for update`, [id]);
            const stillExpired = await tx.execute<{ id: string }[]>(
              `select s.id from support_sessions s where s.id = ? and not exists (
                 select 1 from tickets t where t.session_id = s.id
                   and (t.status <> 'closed' or t.closed_at is null or t.closed_at >= ?))`,
              [id, cutoff],
            );
            return stillExpired.length > 0 ? eraseIn(tx, id, false) : null;
          });
          if (result) {
            await removeFiles(id);
            erased += 1;
          }
        }
        if (expired.length < RETENTION_BATCH) return erased;
      }
    },
  };
}
