import { Migration } from '@mikro-orm/migrations';

/**
 * Tickets carry a `version` that grows by one with every UPDATE of the row, whatever path writes it (the
 * `version` trigger; the app never sets it): ticket events and views carry it, so that a client or an
 * instance that hears of an older state after a newer one keeps the newer.
 *
 * Visitor messages may carry the `client_id` the widget gave the send (kept across its retries): unique per
 * session, so a send retried after a lost answer stores nothing twice and is answered with the stored
 * message.
 */
export class Migration20261201160200_ticket_versions_client_ids extends Migration {
  override name = 'Migration20261201160200_ticket_versions_client_ids';

  override up(): void | Promise<void> {
    this.addSql(`alter table "tickets" add "version" int not null default 1;`);
    this.addSql(
      `create or replace function "tickets_version_fn"() returns trigger as $$ begin new.version := old.version + 1; return new; end; $$ language plpgsql;`,
    );
    this.addSql(
      `create trigger "version" before update on "tickets" for each row execute function "tickets_version_fn"();`,
    );
    this.addSql(`alter table "messages" add "client_id" uuid null;`);
    this.addSql(
      `create unique index "messages_session_id_client_id_unique" on "messages" ("session_id", "client_id") where client_id is not null;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index if exists "messages_session_id_client_id_unique";`);
    this.addSql(`alter table "messages" drop column "client_id";`);
    this.addSql(`drop trigger if exists "version" on "tickets";`);
    this.addSql(`drop function if exists "tickets_version_fn"();`);
    this.addSql(`alter table "tickets" drop column "version";`);
  }
}
