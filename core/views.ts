import type { MessageView, ReactionView, TicketView } from '../contract/api.ts';
import type { Message, Ticket } from '../db/entities/index.ts';

const iso = (date: Date | null | undefined) => (date ? date.toISOString() : null);

/** The contact details a visitor left (after hours), or null before they left any. */
export function toContactView(
  session: { contactEmail?: string | null; contactPhone?: string | null } | null | undefined,
): { email: string | null; phone: string | null } | null {
  return session?.contactEmail || session?.contactPhone
    ? { email: session.contactEmail ?? null, phone: session.contactPhone ?? null }
    : null;
}

/** What a ticket's view is made of: a Ticket entity, or the same fields read straight from its row. */
export type TicketFields = Pick<
  Ticket,
  | 'id'
  | 'status'
  | 'category'
  | 'createdAt'
  | 'claimedAt'
  | 'closedAt'
  | 'rating'
  | 'contactRequestedAt'
  | 'version'
> & { assignedAgent?: { id: number; name: string } | null };

/** What a message's view is made of: a Message entity, or the same fields read straight from its row. */
export type MessageFields = Pick<
  Message,
  | 'id'
  | 'sender'
  | 'body'
  | 'mediaUrl'
  | 'createdAt'
  | 'editedAt'
  | 'agentReaction'
  | 'visitorReaction'
  | 'systemEvent'
  | 'clientId'
> & { ticket: { id: number }; agent?: { name: string } | null };

/** A ticket as the API shows it. `assignedAgent` must be loaded (or null). */
export function toTicketView(ticket: TicketFields): TicketView {
  return {
    id: ticket.id,
    status: ticket.status,
    category: ticket.category ?? null,
    agent_name: ticket.assignedAgent?.name ?? null,
    created_at: ticket.createdAt.toISOString(),
    claimed_at: iso(ticket.claimedAt),
    closed_at: iso(ticket.closedAt),
    rating: ticket.rating ?? null,
    contact_requested: Boolean(ticket.contactRequestedAt),
    version: ticket.version,
  };
}

/** A message as the API shows it. `agent` must be loaded (or null). */
export function toMessageView(message: MessageFields): MessageView {
  return {
    id: message.id,
    ticket_id: message.ticket.id,
    sender: message.sender,
    body: message.body,
    media_url: message.mediaUrl ?? null,
    agent_name: message.agent?.name ?? null,
    created_at: message.createdAt.toISOString(),
    edited_at: iso(message.editedAt),
    reactions: reactionsOf(message),
    event: message.systemEvent ?? null,
    client_id: message.clientId ?? null,
  };
}

/** A message's reactions, the agent's first. */
export function reactionsOf(message: Pick<Message, 'agentReaction' | 'visitorReaction'>): ReactionView[] {
  const reactions: ReactionView[] = [];
  if (message.agentReaction) reactions.push({ emoji: message.agentReaction, from: 'agent' });
  if (message.visitorReaction) reactions.push({ emoji: message.visitorReaction, from: 'visitor' });
  return reactions;
}
