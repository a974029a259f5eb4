import { Migration } from '@mikro-orm/migrations';

/**
 * An agent's Telegram message is named by its chat and id (ids are counted per chat, and an agent writes
 * both in their chat with the bot and in the support group): `telegram_messages`' unique (chat, message
 * id) now decides duplicates. The old unique (agent, Telegram message id) would refuse a group message
 * that happens to share an id with one from the agent's private chat.
 */
export class Migration20261130192000_agent_message_ids extends Migration {
  override name = 'Migration20261130192000_agent_message_ids';

  override up(): void | Promise<void> {
    this.addSql(`drop index if exists "messages_agent_tg_message_unique";`);
  }

  override down(): void | Promise<void> {
    this.addSql(
      `create unique index "messages_agent_tg_message_unique" on "messages" ("agent_id", "tg_message_id") where sender = 'agent' and tg_message_id is not null;`,
    );
  }
}
