import { Migration } from '@mikro-orm/migrations';

/**
 * Conversations' files in the database, where every instance reads them (MEDIA_STORE=postgres, the
 * default on PostgreSQL). The bytes are stored uncompressed out of line (`storage external`): images,
 * PDFs and audio are compressed already, and a range of an uncompressed value is read without the rest,
 * so a file is served in chunks.
 */
export class Migration20261201160100_media_in_database extends Migration {
  override name = 'Migration20261201160100_media_in_database';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "media_files" ("session_id" uuid not null, "file_name" varchar(64) not null, "mime_type" varchar(100) not null, "size" int not null, "bytes" bytea not null, "created_at" timestamptz not null default now(), primary key ("session_id", "file_name"));`,
    );
    this.addSql(`alter table "media_files" alter column "bytes" set storage external;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "media_files" cascade;`);
  }
}
