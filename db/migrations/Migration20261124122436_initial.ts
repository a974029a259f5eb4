import { Migration } from '@mikro-orm/migrations';

export class Migration20261124122436_initial extends Migration {
  override name = 'Migration20261124122436_initial';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "support_sessions" ("id" uuid not null, "created_at" timestamptz not null default now(), "last_seen_at" timestamptz not null default now(), "locale" varchar(35) null, "user_agent" text null, "referer" text null, "contact_email" varchar(320) null, "contact_phone" varchar(40) null, primary key ("id"));`,
    );

    this.addSql(
      `create table "tickets" ("id" serial primary key, "session_id" uuid not null, "status" text not null default 'open', "category" varchar(64) null, "priority" text not null default 'normal', "assigned_agent_id" int null, "created_at" timestamptz not null default now(), "claimed_at" timestamptz null, "closed_at" timestamptz null, "group_message_id" bigint null, "rating" smallint null, "rating_comment" text null);`,
    );
    this.addSql(`create index "tickets_session_id_index" on "tickets" ("session_id");`);
    this.addSql(`create index "tickets_assigned_agent_id_index" on "tickets" ("assigned_agent_id");`);
    this.addSql(`create index "tickets_status_created_at_index" on "tickets" ("status", "created_at");`);
    this.addSql(
      `create unique index "tickets_one_open_per_session" on "tickets" ("session_id") where status <> 'closed';`,
    );

    this.addSql(
      `create table "agents" ("id" serial primary key, "name" varchar(200) not null, "tg_chat_id" bigint not null, "tg_username" varchar(64) null, "skills" text[] not null default '{}', "is_online" boolean not null default false, "active_ticket_id" int null);`,
    );
    this.addSql(`alter table "agents" add constraint "agents_tg_chat_id_unique" unique ("tg_chat_id");`);

    this.addSql(
      `create table "passes" ("id" serial primary key, "ticket_id" int not null, "agent_id" int not null, "created_at" timestamptz not null default now());`,
    );
    this.addSql(
      `alter table "passes" add constraint "passes_ticket_id_agent_id_unique" unique ("ticket_id", "agent_id");`,
    );

    this.addSql(
      `create table "messages" ("id" serial primary key, "ticket_id" int not null, "session_id" uuid not null, "sender" text not null, "agent_id" int null, "body" text not null, "media_url" text null, "tg_message_id" bigint null, "created_at" timestamptz not null default now());`,
    );
    this.addSql(
      `create index "messages_ticket_id_created_at_index" on "messages" ("ticket_id", "created_at");`,
    );
    this.addSql(`create index "messages_session_id_id_index" on "messages" ("session_id", "id");`);

    this.addSql(
      `alter table "tickets" add constraint "tickets_session_id_foreign" foreign key ("session_id") references "support_sessions" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "tickets" add constraint "tickets_assigned_agent_id_foreign" foreign key ("assigned_agent_id") references "agents" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "tickets" add constraint "tickets_rating_check" check (((rating >= 1) AND (rating <= 5)));`,
    );
    this.addSql(
      `alter table "tickets" add constraint "tickets_status_check" check ("status" in ('open', 'claimed', 'closed'));`,
    );
    this.addSql(
      `alter table "tickets" add constraint "tickets_priority_check" check ("priority" in ('low', 'normal', 'high'));`,
    );

    this.addSql(
      `alter table "agents" add constraint "agents_active_ticket_id_foreign" foreign key ("active_ticket_id") references "tickets" ("id") on delete set null;`,
    );

    this.addSql(
      `alter table "passes" add constraint "passes_ticket_id_foreign" foreign key ("ticket_id") references "tickets" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "passes" add constraint "passes_agent_id_foreign" foreign key ("agent_id") references "agents" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "messages" add constraint "messages_ticket_id_foreign" foreign key ("ticket_id") references "tickets" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "messages" add constraint "messages_session_id_foreign" foreign key ("session_id") references "support_sessions" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "messages" add constraint "messages_agent_id_foreign" foreign key ("agent_id") references "agents" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "messages" add constraint "messages_sender_check" check ("sender" in ('visitor', 'agent', 'system'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "tickets" drop constraint "tickets_session_id_foreign";`);
    this.addSql(`alter table "messages" drop constraint "messages_session_id_foreign";`);
    this.addSql(`alter table "agents" drop constraint "agents_active_ticket_id_foreign";`);
    this.addSql(`alter table "passes" drop constraint "passes_ticket_id_foreign";`);
    this.addSql(`alter table "messages" drop constraint "messages_ticket_id_foreign";`);
    this.addSql(`alter table "tickets" drop constraint "tickets_assigned_agent_id_foreign";`);
    this.addSql(`alter table "passes" drop constraint "passes_agent_id_foreign";`);
    this.addSql(`alter table "messages" drop constraint "messages_agent_id_foreign";`);

    this.addSql(`drop table if exists "support_sessions" cascade;`);
    this.addSql(`drop table if exists "tickets" cascade;`);
    this.addSql(`drop table if exists "agents" cascade;`);
    this.addSql(`drop table if exists "passes" cascade;`);
    this.addSql(`drop table if exists "messages" cascade;`);
  }
}
