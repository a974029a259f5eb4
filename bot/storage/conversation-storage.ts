import type { ConversationContextStorage, VersionedState } from '@grammyjs/conversations';
import { BotConversation } from '../../db/entities/index.ts';
import type { EntityManager } from '../../db/orm.ts';
import type { BotContext } from '../context.ts';

/** Conversations happen in an agent's chat with the bot only: other updates have no state. */
export const conversationKey = (ctx: BotContext): string | undefined =>
  ctx.chat?.type === 'private' && ctx.from ? `agent:${ctx.from.id}` : undefined;

/**
 * grammY conversations' state in the database (table bot_conversations), keyed by `conversationKey`.
 * The state read at the update's start (`ctx.preloaded`, bot/storage/update-start.ts) serves the
 * plugin's one read of the update; a later read, or one without it, reads the table.
 */
export function createConversationStorage<S>(em: EntityManager): ConversationContextStorage<BotContext, S> {
  return {
    type: 'context',
    adapter: {
      async read(ctx) {
        const key = conversationKey(ctx);
        if (!key) return undefined;
        const preloaded = ctx.preloaded;
        if (preloaded && 'conversation' in preloaded) {
          const { conversation } = preloaded;
          delete preloaded.conversation;
          return conversation as VersionedState<S> | undefined;
        }
        const row = await em.findOne(BotConversation, key, { disableIdentityMap: true });
        return (row?.state ?? undefined) as VersionedState<S> | undefined;
      },
      async write(ctx, state) {
        const key = conversationKey(ctx);
        if (key) await em.upsert(BotConversation, { key, state, updatedAt: new Date() });
      },
      async delete(ctx) {
        const key = conversationKey(ctx);
        if (key) await em.nativeDelete(BotConversation, { key });
      },
    },
  };
}
