import { Migration } from '@mikro-orm/migrations';

/**
 * A visitor's earlier tickets (core/search.service.ts) link only identified sessions, by the identity's
 * email, case-insensitively: a partial index on `lower(visitor_email)` of identified sessions, so the
 * look-up never scans every session.
 */
export class Migration20261201140000_search_fixes extends Migration {
  override name = 'Migration20261201140000_search_fixes';

  override up(): void | Promise<void> {
    this.addSql(
      `create index "support_sessions_identity_email_index" on "support_sessions" (lower(visitor_email)) where external_id is not null;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index if exists "support_sessions_identity_email_index";`);
  }
}
