import { AgentDmMessage } from '../../db/entities/index.ts';
import type { EntityManager } from '../../db/orm.ts';

/** Which ticket a bot message in an agent's DM belongs to, for routing the agent's replies. */
export function createDmLinks(em: EntityManager) {
  return {
    async remember(chatId: number, messageId: number, ticketId: number): Promise<void> {
      await em
        .createQueryBuilder(AgentDmMessage)
        .insert({ chatId, messageId, ticket: ticketId, createdAt: new Date() })
        .onConflict(['chatId', 'messageId'])
        .ignore()
        .execute('run');
    },

    async ticketOf(chatId: number, messageId: number): Promise<number | null> {
      const link = await em.findOne(AgentDmMessage, { chatId, messageId });
      return link?.ticket.id ?? null;
    },
  };
}
