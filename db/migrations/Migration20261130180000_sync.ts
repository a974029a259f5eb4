import { Migration } from '@mikro-orm/migrations';

/**
 * The conversation behaves like Telegram, both ways: messages can be edited (`edited_at`) and deleted
 * (`deleted_at`, a soft delete: agents still see them, marked), and carry one reaction per side. Tickets
 * remember when the visitor's typing was last shown in Telegram (instances take turns through it).
 */
export class Migration20261130180000_sync extends Migration {
  override name = 'Migration20261130180000_sync';

  override up(): void | Promise<void> {
    this.addSql(`alter table "tickets" add "typing_shown_at" timestamptz null;`);
    this.addSql(
      `alter table "messages" add "edited_at" timestamptz null, add "deleted_at" timestamptz null, add "agent_reaction" text null, add "visitor_reaction" text null;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(
      `alter table "messages" drop column "edited_at", drop column "deleted_at", drop column "agent_reaction", drop column "visitor_reaction";`,
    );
    this.addSql(`alter table "tickets" drop column "typing_shown_at";`);
  }
}
