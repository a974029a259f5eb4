import { Migration } from '@mikro-orm/migrations';

/**
 * Who the visitor is and where they are (issue 14 §4): the host page they are on, the UTM parameters of
 * the page they landed on, their time zone, and the host site's verified id, name and email for a
 * visitor it identified (at most one session per id).
 */
export class Migration20261130191000_page_context extends Migration {
  override name = 'Migration20261130191000_page_context';

  override up(): void | Promise<void> {
    this.addSql(
      `alter table "support_sessions" add "page_url" text null, add "page_title" text null, add "utm" jsonb null, add "time_zone" varchar(64) null, add "external_id" varchar(255) null, add "visitor_name" varchar(200) null, add "visitor_email" varchar(320) null;`,
    );
    this.addSql(
      `alter table "support_sessions" add constraint "support_sessions_external_id_unique" unique ("external_id");`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "support_sessions" drop constraint "support_sessions_external_id_unique";`);
    this.addSql(
      `alter table "support_sessions" drop column "page_url", drop column "page_title", drop column "utm", drop column "time_zone", drop column "external_id", drop column "visitor_name", drop column "visitor_email";`,
    );
  }
}
