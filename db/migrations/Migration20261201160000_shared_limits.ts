import { Migration } from '@mikro-orm/migrations';

/**
 * Visitor rate limits and caps shared by every instance on one PostgreSQL database (issue 15;
 * server/limits/postgres-limit-store.ts): token buckets, and caps of what is open with the leases that
 * stand for their places. Unlogged: a crash may forget them (limits start afresh), and their writes cost
 * no WAL. No entities: only the limit store reads them, with its own SQL.
 */
export class Migration20261201160000_shared_limits extends Migration {
  override name = 'Migration20261201160000_shared_limits';

  override up(): void | Promise<void> {
    this.addSql(
      `create unlogged table "visitor_limit_buckets" ("key" text primary key, "tat" double precision not null, "requested" int not null, "granted" int not null, "interval_ms" double precision not null, "capacity" int not null);`,
    );
    this.addSql(`create unlogged table "visitor_limit_caps" ("key" text primary key, "taken" int not null);`);
    this.addSql(
      `create unlogged table "visitor_limit_leases" ("lease" uuid primary key, "key" text not null, "holder" text not null, "expires_at" timestamptz not null);`,
    );
    this.addSql(`create index "visitor_limit_leases_key_index" on "visitor_limit_leases" ("key");`);
    this.addSql(`create index "visitor_limit_leases_holder_index" on "visitor_limit_leases" ("holder");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "visitor_limit_leases";`);
    this.addSql(`drop table if exists "visitor_limit_caps";`);
    this.addSql(`drop table if exists "visitor_limit_buckets";`);
  }
}
