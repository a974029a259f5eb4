import { Migration } from '@mikro-orm/migrations';

/**
 * Canned replies and internal notes (issue 13 §4–5): team-shared snippets, and notes on tickets in a
 * table of their own (never in `messages`, which the visitor's views read).
 */
export class Migration20261201110000_canned_notes extends Migration {
  override name = 'Migration20261201110000_canned_notes';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "canned_replies" ("id" serial primary key, "title" varchar(100) not null, "body" text not null, "category" varchar(100) null, "updated_by_id" int null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now());`,
    );
    this.addSql(
      `alter table "canned_replies" add constraint "canned_replies_updated_by_id_foreign" foreign key ("updated_by_id") references "agents" ("id") on delete set null;`,
    );
    this.addSql(
      `create table "ticket_notes" ("id" serial primary key, "ticket_id" int not null, "agent_id" int null, "author_name" varchar(200) not null, "body" text not null, "chat_id" bigint null, "tg_message_id" bigint null, "created_at" timestamptz not null default now());`,
    );
    this.addSql(
      `create index "ticket_notes_ticket_id_created_at_index" on "ticket_notes" ("ticket_id", "created_at");`,
    );
    this.addSql(
      `alter table "ticket_notes" add constraint "ticket_notes_chat_message_unique" unique ("chat_id", "tg_message_id");`,
    );
    this.addSql(
      `alter table "ticket_notes" add constraint "ticket_notes_ticket_id_foreign" foreign key ("ticket_id") references "tickets" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "ticket_notes" add constraint "ticket_notes_agent_id_foreign" foreign key ("agent_id") references "agents" ("id") on delete set null;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "ticket_notes" cascade;`);
    this.addSql(`drop table if exists "canned_replies" cascade;`);
  }
}
