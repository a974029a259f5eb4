import { type FilterQuery, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { ConversationQuery, ConversationResponse, PageContext } from '../contract/api.ts';
import { Message, SupportSession, Ticket } from '../db/entities/index.ts';
import type { EntityManager } from '../db/orm.ts';
import { NotFound } from './errors.ts';
import { revisionCursor } from './message-revisions.ts';
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
    async createSession(details: {
      locale?: string;
      userAgent?: string;
      referer?: string;
      context?: PageContext;
    }): Promise<string> {
      const session = em.create(SupportSession, {
        locale: localeOrNull(details.locale),
        userAgent: validTextOrNull(details.userAgent, 1024),
        referer: validTextOrNull(details.referer, 2048),
      });
      if (details.context) applyContext(session, details.context);
      await em.flush();
      return session.id;
    },

    /** Where the visitor is now (the widget reports every page change); the Mini App and cards show it. */
    async updateContext(sessionId: string, context: PageContext): Promise<void> {
      const session = await em.findOne(SupportSession, sessionId);
      if (!session) throw new NotFound('Session');
      applyContext(session, context);
      session.lastSeenAt = new Date();
      await em.flush();
    },

    /**
     * Attaches a visitor the host site identified (the caller verified the hash) and answers the id of the
     * identity's one session: the one it already has (the visitor's history on every device), else this
     * session, unless this one belongs to another identity (a different person signed in on the same
     * browser), then a new one. A session that is left keeps its own messages. Name and email are updated
     * when given.
     */
    async identify(sessionId: string, identity: { externalId: string; name?: string; email?: string }) {
      const attempt = () =>
        em.transactional(async (tx) => {
          const current = await tx.findOne(SupportSession, sessionId);
          if (!current) throw new NotFound('Session');
          const target =
            (await tx.findOne(SupportSession, { externalId: identity.externalId })) ??
            (current.externalId ? tx.create(SupportSession, { locale: current.locale }) : current);
          target.externalId = identity.externalId;
          if (identity.name !== undefined) target.visitorName = identity.name || null;
          if (identity.email !== undefined) target.visitorEmail = identity.email;
          target.lastSeenAt = new Date();
          await tx.flush();
          // The open ticket's card shows who the visitor is.
          const open = await tx.findOne(Ticket, { session: target, status: { $ne: 'closed' } });
          if (open) await outbox.enqueue(tx, { type: 'ticket.card', ticketId: open.id });
          return target.id;
        });
      try {
        return await attempt();
      } catch (error) {
        // Two devices attached the same id at once: the other won, so this one joins its session.
        if (error instanceof UniqueConstraintViolationException) return attempt();
        throw error;
      }
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
     * All of a session's tickets and messages in order; with `after` (a message id), only newer messages;
     * with `since` (a revision cursor of an earlier answer), the messages created or changed since, and
     * the ids of those deleted since. The caller has established that the session exists (the routes do,
     * for the token's own session).
     */
    async getConversation(
      sessionId: string,
      { after, since }: Pick<ConversationQuery, 'after' | 'since'> = {},
    ): Promise<ConversationResponse> {
      // Taken before the reads: what it does not cover yet, the next `since` returns (message-revisions.ts).
      const revision = await revisionCursor(em);
      const where: FilterQuery<Message> =
        since === undefined
          ? { session: sessionId, deletedAt: null, ...(after === undefined ? {} : { id: { $gt: after } }) }
          : { session: sessionId, revision: { $gte: since } };
      const [session, tickets, messages] = await Promise.all([
        em.findOne(SupportSession, sessionId),
        em.find(Ticket, { session: sessionId }, { orderBy: { id: 'asc' }, populate: ['assignedAgent'] }),
        em.find(Message, where, { orderBy: { id: 'asc' }, populate: ['agent'] }),
      ]);
      const ticketViews = tickets.map(toTicketView);
      return {
        session_id: sessionId,
        contact: toContactView(session),
        ticket: ticketViews.at(-1) ?? null,
        tickets: ticketViews,
        messages: messages.filter((message) => !message.deletedAt).map(toMessageView),
        deleted_message_ids: messages.filter((message) => message.deletedAt).map((message) => message.id),
        revision,
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

function applyContext(session: SupportSession, context: PageContext) {
  if (context.url !== undefined) session.pageUrl = context.url;
  if (context.title !== undefined) session.pageTitle = context.title || null;
  if (context.referrer !== undefined) session.referer = context.referrer;
  if (context.utm !== undefined) {
    const utm = Object.fromEntries(Object.entries(context.utm).filter(([, value]) => value));
    session.utm = Object.keys(utm).length > 0 ? utm : null;
  }
  if (context.time_zone !== undefined) session.timeZone = context.time_zone;
  if (context.language !== undefined) session.locale = localeOrNull(context.language) ?? session.locale;
}
