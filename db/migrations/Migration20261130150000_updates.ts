import { Migration } from '@mikro-orm/migrations';

/**
 * Telegram updates are recorded as handled after their effects, not before; in polling mode they are
 * stored when fetched (payload) until handled, so a crash in between does not lose them.
 */
export class Migration20261130150000_updates extends Migration {
  override name = 'Migration20261130150000_updates';

  override up(): void | Promise<void> {
    this.addSql(
      `alter table "processed_telegram_updates" add "received_at" timestamptz not null default now(), add "payload" jsonb null;`,
    );
    this.addSql(`alter table "processed_telegram_updates" alter column "processed_at" drop default;`);
    this.addSql(`alter table "processed_telegram_updates" alter column "processed_at" drop not null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`delete from "processed_telegram_updates" where "processed_at" is null;`);
    this.addSql(`alter table "processed_telegram_updates" alter column "processed_at" set not null;`);
    this.addSql(`alter table "processed_telegram_updates" alter column "processed_at" set default now();`);
    this.addSql(`alter table "processed_telegram_updates" drop column "received_at", drop column "payload";`);
  }
}
