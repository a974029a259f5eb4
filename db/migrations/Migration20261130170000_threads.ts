import { Migration } from '@mikro-orm/migrations';

/**
 * Telegram messages of tickets by chat, topic and message id (replies route by these, not by text), and
 * the forum topics that hold tickets' conversations. Messages already relayed or written in Telegram are
 * recorded from `messages`, so that replies to them still find their ticket.
 */
export class Migration20261130170000_threads extends Migration {
  override name = 'Migration20261130170000_threads';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "telegram_messages" ("id" serial primary key, "ticket_id" int not null, "message_id" int null, "chat_id" bigint not null, "thread_id" bigint null, "tg_message_id" bigint not null, "role" text not null, "created_at" timestamptz not null default now());`,
    );
    this.addSql(`create index "telegram_messages_message_id_index" on "telegram_messages" ("message_id");`);
    this.addSql(`create index "telegram_messages_ticket_id_index" on "telegram_messages" ("ticket_id");`);
    this.addSql(
      `alter table "telegram_messages" add constraint "telegram_messages_chat_message_unique" unique ("chat_id", "tg_message_id");`,
    );

    this.addSql(
      `create table "ticket_threads" ("id" serial primary key, "ticket_id" int not null, "agent_id" int null, "chat_id" bigint not null, "thread_id" bigint not null, "name" varchar(128) not null, "created_at" timestamptz not null default now(), "closed_at" timestamptz null);`,
    );
    this.addSql(`create index "ticket_threads_agent_id_index" on "ticket_threads" ("agent_id");`);
    this.addSql(
      `alter table "ticket_threads" add constraint "ticket_threads_chat_thread_unique" unique ("chat_id", "thread_id");`,
    );
    this.addSql(
      `alter table "ticket_threads" add constraint "ticket_threads_ticket_chat_unique" unique ("ticket_id", "chat_id");`,
    );

    this.addSql(
      `alter table "telegram_messages" add constraint "telegram_messages_ticket_id_foreign" foreign key ("ticket_id") references "tickets" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "telegram_messages" add constraint "telegram_messages_message_id_foreign" foreign key ("message_id") references "messages" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "telegram_messages" add constraint "telegram_messages_role_check" check ("role" in ('card', 'connected', 'history', 'visitor', 'agent', 'notice'));`,
    );

    this.addSql(
      `alter table "ticket_threads" add constraint "ticket_threads_ticket_id_foreign" foreign key ("ticket_id") references "tickets" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "ticket_threads" add constraint "ticket_threads_agent_id_foreign" foreign key ("agent_id") references "agents" ("id") on delete set null;`,
    );

    this.addSql(`insert into "telegram_messages" ("ticket_id", "message_id", "chat_id", "tg_message_id", "role")
      select m."ticket_id", m."id", a."tg_chat_id", m."tg_message_id", case when m."sender" = 'agent' then 'agent' else 'visitor' end
      from "messages" m join "tickets" t on t."id" = m."ticket_id"
        join "agents" a on a."id" = coalesce(m."agent_id", t."assigned_agent_id")
      where m."tg_message_id" is not null and m."sender" in ('agent', 'visitor')
      on conflict do nothing;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "telegram_messages" cascade;`);
    this.addSql(`drop table if exists "ticket_threads" cascade;`);
  }
}
