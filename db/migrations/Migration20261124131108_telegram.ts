import { Migration } from '@mikro-orm/migrations';

export class Migration20261124131108_telegram extends Migration {
  override name = 'Migration20261124131108_telegram';

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

    this.addSql(`alter table "tickets" add "contact_requested_at" timestamptz null;`);

    this.addSql(`alter table "messages" add "relayed_at" timestamptz null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "bot_conversations" cascade;`);
    this.addSql(`drop table if exists "processed_telegram_updates" cascade;`);
    this.addSql(`drop table if exists "settings" cascade;`);

    this.addSql(`alter table "messages" drop column "relayed_at";`);

    this.addSql(`alter table "tickets" drop column "contact_requested_at";`);
  }
}
