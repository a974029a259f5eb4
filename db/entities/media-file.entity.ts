import { defineEntity, p } from '@mikro-orm/core';

/**
 * A conversation's file kept in the database (MEDIA_STORE=postgres, the default on PostgreSQL), so that
 * every instance serves it: written and read by core/media-store-postgres.ts with plain SQL, never
 * loaded as an entity (the bytes are up to 10 MB). `created_at` is when it joined its session: the
 * orphan sweep's age. No foreign key to the session: erasure removes a session's files after its rows.
 */
export const MediaFileSchema = defineEntity({
  name: 'MediaFile',
  tableName: 'media_files',
  properties: {
    sessionId: p.uuid().primary(),
    fileName: p.string().length(64).primary(),
    mimeType: p.string().length(100),
    size: p.integer(),
    bytes: p.blob().lazy(),
    createdAt: p
      .datetime()
      .defaultRaw('now()')
      .onCreate(() => new Date()),
  },
});

export class MediaFile extends MediaFileSchema.class {}
MediaFileSchema.setClass(MediaFile);
