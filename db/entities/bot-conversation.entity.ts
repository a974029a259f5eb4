import { defineEntity, p } from '@mikro-orm/core';

/** grammY conversations' state (close with a note, …), keyed by the agent's Telegram user id. */
export const BotConversationSchema = defineEntity({
  name: 'BotConversation',
  tableName: 'bot_conversations',
  properties: {
    key: p.string().length(100).primary(),
    state: p.json<unknown>(),
    updatedAt: p
      .datetime()
      .defaultRaw('now()')
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});

export class BotConversation extends BotConversationSchema.class {}
BotConversationSchema.setClass(BotConversation);
