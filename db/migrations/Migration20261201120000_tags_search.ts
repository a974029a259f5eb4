import { Migration } from '@mikro-orm/migrations';

/**
 * Tags, search and reports (issue 13 §5–6): tags on tickets; a GIN index over the messages' text as
 * `to_tsvector('simple', body)` (the expression search queries use, so full-text search never scans every
 * message); tickets by creation and closing time, so reports read only their period.
 */
export class Migration20261201120000_tags_search extends Migration {
  override name = 'Migration20261201120000_tags_search';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "ticket_tags" ("id" serial primary key, "ticket_id" int not null, "tag" varchar(32) not null, "agent_id" int null, "created_at" timestamptz not null default now());`,
    );
    this.addSql(`create index "ticket_tags_tag_index" on "ticket_tags" ("tag");`);
    this.addSql(
      `alter table "ticket_tags" add constraint "ticket_tags_ticket_id_tag_unique" unique ("ticket_id", "tag");`,
    );
    this.addSql(
      `alter table "ticket_tags" add constraint "ticket_tags_ticket_id_foreign" foreign key ("ticket_id") references "tickets" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "ticket_tags" add constraint "ticket_tags_agent_id_foreign" foreign key ("agent_id") references "agents" ("id") on delete set null;`,
    );
    this.addSql(
      `create index "messages_body_search_index" on "messages" using gin (to_tsvector('simple'::regconfig, body));`,
    );
    this.addSql(`create index "tickets_created_at_index" on "tickets" ("created_at");`);
    this.addSql(`create index "tickets_closed_at_index" on "tickets" ("closed_at");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index if exists "tickets_closed_at_index";`);
    this.addSql(`drop index if exists "tickets_created_at_index";`);
    this.addSql(`drop index if exists "messages_body_search_index";`);
    this.addSql(`drop table if exists "ticket_tags" cascade;`);
  }
}
