import { Migration } from '@mikro-orm/migrations';

/**
 * Auto-assignment (issue 13 §2): a waiting ticket is offered to one agent at a time, who accepts or passes
 * before the offer expires. One live offer per ticket (a partial unique index), one offer per agent and
 * ticket.
 */
export class Migration20261201130000_offers extends Migration {
  override name = 'Migration20261201130000_offers';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "ticket_offers" ("id" serial primary key, "ticket_id" int not null, "agent_id" int not null, "offered_at" timestamptz not null default now(), "expires_at" timestamptz not null, "outcome" text check ("outcome" in ('accepted', 'passed', 'expired', 'withdrawn')) null, "ended_at" timestamptz null, "tg_message_id" bigint null);`,
    );
    this.addSql(`create index "ticket_offers_agent_id_index" on "ticket_offers" ("agent_id");`);
    this.addSql(
      `alter table "ticket_offers" add constraint "ticket_offers_ticket_id_agent_id_unique" unique ("ticket_id", "agent_id");`,
    );
    this.addSql(
      `create unique index "ticket_offers_one_live_per_ticket" on "ticket_offers" ("ticket_id") where outcome is null;`,
    );
    this.addSql(
      `alter table "ticket_offers" add constraint "ticket_offers_ticket_id_foreign" foreign key ("ticket_id") references "tickets" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "ticket_offers" add constraint "ticket_offers_agent_id_foreign" foreign key ("agent_id") references "agents" ("id") on delete cascade;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "ticket_offers" cascade;`);
  }
}
