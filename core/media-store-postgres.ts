import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { boundQuery } from '../db/bound-query.ts';
import type { EntityManager } from '../db/orm.ts';
import { moveLocalFiles } from './media-import.ts';
import { createIncomingFiles } from './media-incoming.ts';
import {
  isStoredName,
  type MediaStore,
  mediaUrlOf,
  newFileName,
  parseMediaUrl,
  SESSION_ID,
} from './media-store.ts';
import type { FileMediaStore } from './media-store-files.ts';

/** Bytes read per statement when a file is served: bounded memory per download, few round trips. */
const CHUNK_BYTES = 512 * 1024;
/** Before the first session id in order (the keyset listing's start). */
const BEFORE_FIRST = { session_id: '00000000-0000-0000-0000-000000000000', file_name: '' };

/** bytea comes back as a Buffer from pg, as a Uint8Array from PGlite. */
const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/**
 * Media in the `media_files` table, so that every instance on the database serves every file
 * (MEDIA_STORE=postgres, the default on PostgreSQL). Uploads still stream into a local incoming file
 * (one request is on one instance) and are inserted once accepted. Reads fall through to the files
 * store (`local`, `DATA_DIR/media`) for a file not imported yet (`importLocalFiles`), and removals remove
 * both, so the switch from files loses nothing. Ages are the database's clock, the same for every
 * instance.
 */
export function createPostgresMediaStore(deps: {
  em: EntityManager;
  /** The files under `DATA_DIR/media`: read through until imported; its incoming folder is used. */
  local: FileMediaStore;
  dataDir: string;
}): MediaStore & Required<Pick<MediaStore, 'importLocalFiles'>> {
  const { local } = deps;
  const incoming = createIncomingFiles(join(deps.dataDir, 'media', '.incoming'));
  const sql = <T>(query: string, params: unknown[] = []) =>
    deps.em.getConnection().execute<T[]>(query, params);
  /** Statements carrying bytes: bound parameters, not SQL text (db/bound-query.ts). */
  const bound = <T>(query: string, params: unknown[]) => boundQuery<T>(deps.em, query, params);

  const insert = async (sessionId: string, bytes: Uint8Array, mimeType: string) => {
    const fileName = newFileName(mimeType);
    await bound(
      `insert into media_files (session_id, file_name, mime_type, size, bytes) values ($1, $2, $3, $4, $5)`,
      // A Buffer: the ORM's SQL layer (PGlite) writes a Uint8Array as a list of numbers, not as bytea.
      [sessionId, fileName, mimeType, bytes.byteLength, asBuffer(bytes)],
    );
    return mediaUrlOf(sessionId, fileName);
  };
  const remove = (sessionId: string, fileName: string) =>
    sql(`delete from media_files where session_id = ? and file_name = ?`, [sessionId, fileName]);

  /** The rest of a file after its first chunk, a statement per chunk. */
  async function* restOf(sessionId: string, fileName: string, from: number, size: number) {
    for (let offset = from; offset < size; ) {
      const [row] = await bound<{ chunk: Uint8Array }>(
        `select substring(bytes from $1 for $2) as chunk from media_files where session_id = $3 and file_name = $4`,
        [offset + 1, CHUNK_BYTES, sessionId, fileName],
      );
      // Removed while being read (retention, erasure): the answer ends cut short, as a deleted file's would.
      if (!row || row.chunk.byteLength === 0) throw new Error('media file removed while being read');
      yield asBuffer(row.chunk);
      offset += row.chunk.byteLength;
    }
  }

  return {
    kind: 'postgres',

    save: insert,
    createIncoming: incoming.create,

    async keep(file, sessionId, mimeType) {
      return insert(sessionId, await readFile(file.path), mimeType);
    },

    removeIncoming: incoming.remove,
    removeStaleIncoming: incoming.removeStale,

    /** By (session id, file name), a page per statement; the bytes are not read. */
    async *filesOlderThan(olderThanMs, batchSize) {
      let after = BEFORE_FIRST;
      for (;;) {
        const rows = await sql<{ session_id: string; file_name: string }>(
          `select session_id, file_name from media_files
           where created_at < now() - ? * interval '1 millisecond' and (session_id, file_name) > (?::uuid, ?)
           order by session_id, file_name limit ?`,
          [olderThanMs, after.session_id, after.file_name, batchSize],
        );
        if (rows.length > 0) yield rows.map((row) => mediaUrlOf(row.session_id, row.file_name));
        if (rows.length < batchSize) return;
        after = rows[rows.length - 1] as typeof after;
      }
    },

    async usage(sessionId) {
      if (!SESSION_ID.test(sessionId)) return 0;
      const [row] = await sql<{ bytes: string | number }>(
        `select coalesce(sum(size), 0) as bytes from media_files where session_id = ?`,
        [sessionId],
      );
      return Number(row?.bytes ?? 0) + (await local.usage(sessionId));
    },

    async open(sessionId, fileName) {
      if (!isStoredName(sessionId, fileName)) return null;
      const [row] = await bound<{ bytes: Uint8Array; mime_type: string }>(
        `select bytes, mime_type from media_files where session_id = $1 and file_name = $2`,
        [sessionId, fileName],
      );
      if (!row) return local.open(sessionId, fileName);
      return { bytes: asBuffer(row.bytes), mimeType: row.mime_type };
    },

    /** Its first chunk comes with its size and type (a small file is one statement), the rest as read. */
    async openStream(sessionId, fileName) {
      if (!isStoredName(sessionId, fileName)) return null;
      const [row] = await bound<{ head: Uint8Array; size: number; mime_type: string }>(
        `select substring(bytes from 1 for $1) as head, size, mime_type from media_files
         where session_id = $2 and file_name = $3`,
        [CHUNK_BYTES, sessionId, fileName],
      );
      if (!row) return local.openStream(sessionId, fileName);
      const head = asBuffer(row.head);
      async function* all() {
        yield head;
        yield* restOf(sessionId, fileName, head.byteLength, row?.size ?? 0);
      }
      return { stream: Readable.from(all(), { objectMode: false }), size: row.size, mimeType: row.mime_type };
    },

    async discard(mediaUrl) {
      const file = parseMediaUrl(mediaUrl);
      if (!file || !isStoredName(file.sessionId, file.fileName)) return;
      await remove(file.sessionId, file.fileName);
      await local.discard(mediaUrl);
    },

    async removeSession(sessionId) {
      if (!SESSION_ID.test(sessionId)) return;
      await sql(`delete from media_files where session_id = ?`, [sessionId]);
      await local.removeSession(sessionId);
    },

    parseUrl: parseMediaUrl,

    /** Each kept with its time; a row already there (another instance moved it first) is kept. */
    importLocalFiles: () =>
      moveLocalFiles(local, (file) =>
        bound(
          `insert into media_files (session_id, file_name, mime_type, size, bytes, created_at)
           values ($1, $2, $3, $4, $5, $6) on conflict do nothing`,
          [file.sessionId, file.fileName, file.mimeType, file.bytes.byteLength, file.bytes, file.createdAt],
        ).then(() => undefined),
      ),
  };
}
