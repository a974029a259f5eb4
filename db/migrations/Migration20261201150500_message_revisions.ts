import { Migration } from '@mikro-orm/migrations';

/**
 * Every message carries a `revision`: the id of the transaction that last wrote it, set by the column
 * default on insert and by the `revision` trigger on every update (an edit, a delete, a reaction, …), so
 * that the widget's polling can ask what changed since a cursor (core/message-revisions.ts). Existing
 * messages take this migration's transaction id. Indexed per session, as the polling reads it.
 */
export class Migration20261201150500_message_revisions extends Migration {
  override name = 'Migration20261201150500_message_revisions';

  override up(): void | Promise<void> {
    this.addSql(
      `alter table "messages" add "revision" bigint not null default ((pg_current_xact_id())::text)::bigint;`,
    );
    this.addSql(
      `create index "messages_session_id_revision_index" on "messages" ("session_id", "revision");`,
    );
    this.addSql(
      `create or replace function "messages_revision_fn"() returns trigger as $$ begin new.revision := ((pg_current_xact_id())::text)::bigint; return new; end; $$ language plpgsql;`,
    );
    this.addSql(
      `create trigger "revision" before update on "messages" for each row execute function "messages_revision_fn"();`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop trigger if exists "revision" on "messages";`);
    this.addSql(`drop function if exists "messages_revision_fn"();`);
    this.addSql(`drop index if exists "messages_session_id_revision_index";`);
    this.addSql(`alter table "messages" drop column "revision";`);
  }
}
