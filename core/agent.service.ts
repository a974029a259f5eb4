import { Agent, Ticket } from '../db/entities/index.ts';
import type { EntityManager } from '../db/orm.ts';
import { Forbidden, NotFound } from './errors.ts';

export type AgentService = ReturnType<typeof createAgentService>;

export type AgentProfile = { tgChatId: number; name: string; tgUsername?: string | null };
/** An agent's name is stored cut to this length. */
export const AGENT_NAME_MAX = 200;

export function createAgentService({ em }: { em: EntityManager }) {
  return {
    /** The agent behind a Telegram user, created on first contact and kept up to date. */
    async upsert(profile: AgentProfile): Promise<Agent> {
      return em.upsert(
        Agent,
        {
          tgChatId: profile.tgChatId,
          name: profile.name.slice(0, AGENT_NAME_MAX),
          tgUsername: profile.tgUsername ?? null,
        },
        {
          onConflictFields: ['tgChatId'],
          onConflictAction: 'merge',
          onConflictMergeFields: ['name', 'tgUsername'],
        },
      );
    },

    async get(agentId: number): Promise<Agent> {
      const agent = await em.findOne(Agent, agentId);
      if (!agent) throw new NotFound('Agent');
      return agent;
    },

    /** The ticket an agent's plain DM messages go to: one of their claimed tickets. */
    async setActiveTicket(agentId: number, ticketId: number): Promise<void> {
      const ticket = await em.findOne(Ticket, ticketId);
      if (!ticket) throw new NotFound('Ticket');
      if (ticket.status !== 'claimed' || ticket.assignedAgent?.id !== agentId) {
        throw new Forbidden(`Ticket #${ticketId} is not one of your open tickets`);
      }
      const agent = await em.findOneOrFail(Agent, agentId);
      agent.activeTicket = ticket;
      await em.flush();
    },
  };
}
