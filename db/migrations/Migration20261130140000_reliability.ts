import { Migration } from '@mikro-orm/migrations';

export class Migration20261130140000_reliability extends Migration {
  override name = 'Migration20261130140000_reliability';

  override up(): void | Promise<void> {
    this.addSql(
      `alter table "messages" add "undeliverable_at" timestamptz null, add "delivery_error" text null;`,
    );
    this.addSql(
      `create unique index "messages_agent_tg_message_unique" on "messages" ("agent_id", "tg_message_id") where sender = 'agent' and tg_message_id is not null;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index if exists "messages_agent_tg_message_unique";`);
    this.addSql(`alter table "messages" drop column "undeliverable_at", drop column "delivery_error";`);
  }
}
