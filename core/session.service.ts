import type { ConversationResponse } from '../contract/api.ts';
import { Message, SupportSession, Ticket } from '../db/entities/index.ts';
import type { EntityManager } from '../db/orm.ts';
import { NotFound } from './errors.ts';
import type { Outbox } from './outbox.ts';
import { localeOrNull, validTextOrNull } from './text-input.ts';
import { toContactView, toMessageView, toTicketView } from './views.ts';

export type SessionService = ReturnType<typeof createSessionService>;

export function createSessionService({ em, outbox }: { em: EntityManager; outbox: Outbox }) {
  return {
    /**
     * A new visitor session. The details may come straight from request headers (Accept-Language,
     * User-Agent, Referer), which the visitor rarely chooses: a value that is not a plausible locale, not
     * valid text or too long is dropped or cut, never a reason to refuse the session.
     */
    async createSession(details: { locale?: string; userAgent?: string; referer?: string }): Promise<string> {
      const session = em.create(SupportSession, {
        locale: localeOrNull(details.locale),
        userAgent: validTextOrNull(details.userAgent, 1024),
        referer: validTextOrNull(details.referer, 2048),
      });
      await em.flush();
      return session.id;
    },

    async exists(sessionId: string): Promise<boolean> {
      return (await em.count(SupportSession, { id: sessionId })) > 0;
    },

    /** Stores the visitor's contact details (asked for after hours); the open ticket's card shows them. */
    async saveContact(sessionId: string, contact: { email?: string; phone?: string }): Promise<void> {
      await em.transactional(async (tx) => {
        const session = await tx.findOne(SupportSession, sessionId);
        if (!session) throw new NotFound('Session');
        if (contact.email !== undefined) session.contactEmail = contact.email;
        if (contact.phone !== undefined) session.contactPhone = contact.phone;
        await tx.flush();
        const open = await tx.findOne(Ticket, { session, status: { $ne: 'closed' } });
        if (open) await outbox.enqueue(tx, { type: 'ticket.card', ticketId: open.id });
      });
    },

    /**
     * All of a session's tickets and messages in order; with `afterMessageId`, only newer messages. The
     * caller has established that the session exists (the routes do, for the token's own session).
     */
    async getConversation(sessionId: string, afterMessageId?: number): Promise<ConversationResponse> {
      const [session, tickets, messages] = await Promise.all([
        em.findOne(SupportSession, sessionId),
        em.find(Ticket, { session: sessionId }, { orderBy: { id: 'asc' }, populate: ['assignedAgent'] }),
        em.find(
          Message,
          {
            session: sessionId,
            deletedAt: null,
            ...(afterMessageId === undefined ? {} : { id: { $gt: afterMessageId } }),
          },
          { orderBy: { id: 'asc' }, populate: ['agent'] },
        ),
      ]);
      const ticketViews = tickets.map(toTicketView);
      return {
        session_id: sessionId,
        contact: toContactView(session),
        ticket: ticketViews.at(-1) ?? null,
        tickets: ticketViews,
        messages: messages.map(toMessageView),
      };
    },

    /** Messages after `afterMessageId`, oldest first (SSE replay). */
    async messagesAfter(sessionId: string, afterMessageId: number) {
      const messages = await em.find(
        Message,
        { session: sessionId, id: { $gt: afterMessageId }, deletedAt: null },
        { orderBy: { id: 'asc' }, populate: ['agent'] },
      );
      return messages.map(toMessageView);
    },

    async latestTicket(sessionId: string) {
      const ticket = await em.findOne(
        Ticket,
        { session: sessionId },
        { orderBy: { id: 'desc' }, populate: ['assignedAgent'] },
      );
      return ticket ? toTicketView(ticket) : null;
    },
  };
}
