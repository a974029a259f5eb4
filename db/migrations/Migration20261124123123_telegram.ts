import { Migration } from '@mikro-orm/migrations';

export class Migration20261124123123_telegram extends Migration {
  override name = 'Migration20261124123123_telegram';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "bot_conversations" ("key" varchar(100) not null, "state" jsonb not null, "updated_at" timestamptz not null default now(), primary key ("key"));`,
    );

    this.addSql(
      `create table "processed_telegram_updates" ("update_id" bigint not null, "processed_at" timestamptz not null default now(), primary key ("update_id"));`,
    );

    this.addSql(
      `create table "settings" ("key" varchar(100) not null, "value" text not null, "updated_at" timestamptz not null default now(), primary key ("key"));`,
    );

    this.addSql(
      `create table "agent_dm_messages" ("chat_id" bigint not null, "message_id" bigint not null, "ticket_id" int not null, "created_at" timestamptz not null default now(), primary key ("chat_id", "message_id"));`,
    );

    this.addSql(`alter table "tickets" add "contact_requested_at" timestamptz null;`);

    this.addSql(
      `alter table "agent_dm_messages" add constraint "agent_dm_messages_ticket_id_foreign" foreign key ("ticket_id") references "tickets" ("id") on delete cascade;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "bot_conversations" cascade;`);
    this.addSql(`drop table if exists "processed_telegram_updates" cascade;`);
    this.addSql(`drop table if exists "settings" cascade;`);
    this.addSql(`drop table if exists "agent_dm_messages" cascade;`);

    this.addSql(`alter table "tickets" drop column "contact_requested_at";`);
  }
}
