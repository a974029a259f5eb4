import { Migration } from '@mikro-orm/migrations';

export class Migration20261130140000_reliability extends Migration {
  override name = 'Migration20261130140000_reliability';

  override up(): void | Promise<void> {
    this.addSql(
      `alter table "messages" add "undeliverable_at" timestamptz null, add "delivery_error" text null;`,
    );
    this.addSql(
      `create index "messages_undeliverable_at_index" on "messages" ("undeliverable_at") where undeliverable_at is not null;`,
    );
    // Before this version a redelivered agent message could be stored twice: keep the first copy's
    // Telegram id, so that the unique index below can be built on existing data.
    this.addSql(
      `update "messages" as m set "tg_message_id" = null where m.sender = 'agent' and m.tg_message_id is not null and exists (select 1 from "messages" as d where d.sender = 'agent' and d.agent_id = m.agent_id and d.tg_message_id = m.tg_message_id and d.id < m.id);`,
    );
    this.addSql(
      `create unique index "messages_agent_tg_message_unique" on "messages" ("agent_id", "tg_message_id") where sender = 'agent' and tg_message_id is not null;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index if exists "messages_agent_tg_message_unique";`);
    this.addSql(`drop index if exists "messages_undeliverable_at_index";`);
    this.addSql(`alter table "messages" drop column "undeliverable_at", drop column "delivery_error";`);
  }
}
