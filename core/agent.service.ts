import { Agent } from '../db/entities/index.ts';
import type { EntityManager } from '../db/orm.ts';

export type AgentService = ReturnType<typeof createAgentService>;

export type AgentProfile = { tgChatId: number; name: string; tgUsername?: string | null };

export function createAgentService({ em }: { em: EntityManager }) {
  return {
    /** The agent behind a Telegram user, created on first contact and kept up to date. */
    async upsert(profile: AgentProfile): Promise<Agent> {
      return em.upsert(
        Agent,
        {
          tgChatId: profile.tgChatId,
          name: profile.name.slice(0, 200),
          tgUsername: profile.tgUsername ?? null,
        },
        {
          onConflictFields: ['tgChatId'],
          onConflictAction: 'merge',
          onConflictMergeFields: ['name', 'tgUsername'],
        },
      );
    },

    async findByChatId(tgChatId: number): Promise<Agent | null> {
      return em.findOne(Agent, { tgChatId });
    },
  };
}
