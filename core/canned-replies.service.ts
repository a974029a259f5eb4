import type { CannedReplyInput, CannedReplyView, TicketCannedReply } from '../contract/canned-replies-api.ts';
import { Agent, CannedReply, TelegramMessage, Ticket } from '../db/entities/index.ts';
import type { EntityManager } from '../db/orm.ts';
import { DomainError, NotFound } from './errors.ts';
import {
  fillPlaceholders,
  firstName,
  PLACEHOLDERS,
  type Placeholder,
  type PlaceholderValues,
  unknownPlaceholders,
} from './placeholders.ts';
import { assertValidText } from './text-input.ts';

/** A snippet that cannot be saved as it is (400 over HTTP). */
export class InvalidCannedReply extends DomainError {
  constructor(message: string) {
    super('validation_failed', message);
  }
}

/**
 * A snippet found for an agent's inline query. `text` is what may be posted: only the agent's placeholders
 * are filled (the visitor's are filled for the ticket the message reaches, relay.ts). `preview` is the
 * text filled for the ticket asked about, if any: to show the agent, never to post.
 */
export type InlineCannedReply = {
  id: number;
  title: string;
  category: string | null;
  text: string;
  preview: string | null;
};

export type CannedReplyService = ReturnType<typeof createCannedReplyService>;

const toView = (reply: CannedReply): CannedReplyView => ({
  id: reply.id,
  title: reply.title,
  body: reply.body,
  category: reply.category ?? null,
  updated_at: reply.updatedAt.toISOString(),
  updated_by: reply.updatedBy?.name ?? null,
});

/** The placeholders about the agent (known when an agent asks) and about the ticket's visitor. */
export const AGENT_PLACEHOLDERS: readonly Placeholder[] = ['agent_name', 'agent_full_name'];

/**
 * Team-shared snippets (issue 13 §4): managed in the Mini App, inserted there into the reply box and in
 * Telegram through inline mode. Placeholders are filled from the ticket and the agent (placeholders.ts).
 */
export function createCannedReplyService({ em }: { em: EntityManager }) {
  const validate = (input: CannedReplyInput, categories: readonly string[]) => {
    assertValidText(input.title, 'title');
    assertValidText(input.body, 'body');
    const unknown = unknownPlaceholders(`${input.title}\n${input.body}`);
    if (unknown.length) {
      throw new InvalidCannedReply(
        `body: unknown placeholder ${unknown.map((name) => `{${name}}`).join(', ')}; ` +
          `use ${PLACEHOLDERS.map((name) => `{${name}}`).join(', ')}`,
      );
    }
    const category = input.category?.trim() || null;
    if (category && !categories.includes(category)) {
      throw new InvalidCannedReply(`category: must be one of ${categories.join(', ')} (or none)`);
    }
    return { title: input.title.trim(), body: input.body.trim(), category };
  };

  const ordered = (replies: CannedReply[]) =>
    replies.sort(
      (a, b) =>
        (a.category ?? '\uffff').localeCompare(b.category ?? '\uffff') ||
        a.title.localeCompare(b.title) ||
        a.id - b.id,
    );

  /** What the placeholders of `ticketId` are for `agentId`. */
  const valuesFor = async (ticketId: number, agent: Agent): Promise<PlaceholderValues> => {
    const ticket = await em.findOne(Ticket, ticketId, { populate: ['session'] });
    if (!ticket) throw new NotFound('Ticket');
    return {
      ...agentValues(agent),
      visitor_name: ticket.session.visitorName ?? null,
      visitor_email: ticket.session.visitorEmail ?? ticket.session.contactEmail ?? null,
      ticket_id: String(ticket.id),
      category: ticket.category ?? null,
    };
  };

  const agentValues = (agent: Agent): PlaceholderValues => ({
    agent_name: firstName(agent.name),
    agent_full_name: agent.name,
  });

  const agentById = async (agentId: number) => {
    const agent = await em.findOne(Agent, agentId);
    if (!agent) throw new NotFound('Agent');
    return agent;
  };

  return {
    async list(): Promise<CannedReplyView[]> {
      const replies = await em.find(CannedReply, {}, { populate: ['updatedBy'] });
      return ordered(replies).map(toView);
    },

    async create(input: CannedReplyInput, agentId: number, categories: readonly string[]) {
      const fields = validate(input, categories);
      const reply = em.create(CannedReply, { ...fields, updatedBy: em.getReference(Agent, agentId) });
      await em.flush();
      await em.populate(reply, ['updatedBy']);
      return toView(reply);
    },

    async update(id: number, input: CannedReplyInput, agentId: number, categories: readonly string[]) {
      const fields = validate(input, categories);
      const reply = await em.findOne(CannedReply, id);
      if (!reply) throw new NotFound('Canned reply');
      em.assign(reply, { ...fields, updatedBy: em.getReference(Agent, agentId), updatedAt: new Date() });
      await em.flush();
      await em.populate(reply, ['updatedBy']);
      return toView(reply);
    },

    async remove(id: number) {
      const reply = await em.findOne(CannedReply, id);
      if (!reply) throw new NotFound('Canned reply');
      await em.remove(reply).flush();
    },

    /** The snippets for a ticket's reply box: its category's first, each filled for the ticket and agent. */
    async forTicket(ticketId: number, agentId: number): Promise<TicketCannedReply[]> {
      const values = await valuesFor(ticketId, await agentById(agentId));
      const replies = ordered(await em.find(CannedReply, {}, { populate: ['updatedBy'] }));
      const category = values.category ?? null;
      const matching = (reply: CannedReply) => category !== null && reply.category === category;
      return [...replies.filter(matching), ...replies.filter((reply) => !matching(reply))].map((reply) => ({
        ...toView(reply),
        text: fillPlaceholders(reply.body, values),
        matches_category: matching(reply),
      }));
    },

    /**
     * Up to `limit` snippets matching an inline query (words in the title, text or category, any order),
     * for `agentId`. The text has only the agent's placeholders filled: the visitor's stay, to be filled
     * for the ticket the message reaches, even when `ticketId` says which ticket is likely (the agent's
     * tickets can change before the result is picked, and another visitor must never get these fields).
     * With `ticketId`, its category's snippets come first and `preview` shows the text filled for it.
     */
    async search(
      query: string,
      agentId: number,
      { ticketId, limit = 50 }: { ticketId?: number; limit?: number } = {},
    ) {
      const agent = await agentById(agentId);
      const values = ticketId ? await valuesFor(ticketId, agent) : agentValues(agent);
      const words = query.toLowerCase().split(/\s+/).filter(Boolean);
      const replies = ordered(await em.find(CannedReply, {}));
      const category = ticketId ? (values.category ?? null) : null;
      const found = replies.filter((reply) => {
        const haystack = `${reply.title}\n${reply.body}\n${reply.category ?? ''}`.toLowerCase();
        return words.every((word) => haystack.includes(word));
      });
      if (category) found.sort((a, b) => Number(b.category === category) - Number(a.category === category));
      return found.slice(0, limit).map(
        (reply): InlineCannedReply => ({
          id: reply.id,
          title: reply.title,
          category: reply.category ?? null,
          text: fillPlaceholders(reply.body, values, { only: AGENT_PLACEHOLDERS }),
          preview: ticketId ? fillPlaceholders(reply.body, values) : null,
        }),
      );
    },

    /** Fills every placeholder left in `text` for the ticket it reached (a snippet sent through inline mode). */
    async fillForTicket(text: string, ticketId: number, agentId: number): Promise<string> {
      return fillPlaceholders(text, await valuesFor(ticketId, await agentById(agentId)));
    },

    /**
     * Fills every placeholder left in `text`, the new text of an agent's Telegram message (a snippet sent
     * through inline mode, edited), for the ticket that message went to. A message linked to no ticket
     * stays as it is (it reached no visitor, so its edit goes nowhere either).
     */
    async fillForTelegramMessage(
      text: string,
      ref: { chatId: number; tgMessageId: number },
      agentId: number,
    ): Promise<string> {
      const link = await em.findOne(TelegramMessage, {
        chatId: ref.chatId,
        tgMessageId: ref.tgMessageId,
        role: 'agent',
        message: { $ne: null },
      });
      if (!link) return text;
      return fillPlaceholders(text, await valuesFor(link.ticket.id, await agentById(agentId)));
    },
  };
}
