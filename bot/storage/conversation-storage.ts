import type { VersionedStateStorage } from '@grammyjs/conversations';
import { BotConversation } from '../../db/entities/index.ts';
import type { EntityManager } from '../../db/orm.ts';

/** grammY conversations' state in the database (table bot_conversations). */
export function createConversationStorage<S>(em: EntityManager): VersionedStateStorage<string, S> {
  return {
    async read(key) {
      const row = await em.findOne(BotConversation, key, { disableIdentityMap: true });
      return (row?.state ?? undefined) as Awaited<ReturnType<VersionedStateStorage<string, S>['read']>>;
    },
    async write(key, state) {
      await em.upsert(BotConversation, { key, state, updatedAt: new Date() });
    },
    async delete(key) {
      await em.nativeDelete(BotConversation, { key });
    },
  };
}
