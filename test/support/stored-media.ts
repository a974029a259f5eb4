import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MediaStore } from '../../core/media-store.ts';
import type { Orm } from '../../db/orm.ts';
import { mediaFiles } from './media-files.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** What these helpers need of a running app: its store, database and DATA_DIR. */
type App = { media: MediaStore; orm: Orm; dataDir: string };

const sql = <T>(app: App, query: string, params: unknown[] = []) =>
  app.orm.em.getConnection().execute<T[]>(query, params);

/**
 * Every stored file of conversations, whichever the store: as `<session id>/<file>` with its size (the
 * files under DATA_DIR/media outside the incoming folder, and the rows of `media_files`).
 */
export async function storedMedia(app: App): Promise<{ path: string; size: number }[]> {
  const onDisk = mediaFiles(app.dataDir).filter((file) => !file.path.startsWith('.incoming'));
  if (app.media.kind === 'files') return onDisk;
  const rows = await sql<{ session_id: string; file_name: string; size: number }>(
    app,
    'select session_id, file_name, size from media_files',
  );
  return [...onDisk, ...rows.map((row) => ({ path: join(row.session_id, row.file_name), size: row.size }))];
}

/** The stored files of one session. */
export const storedMediaOf = async (app: App, sessionId: string) =>
  (await storedMedia(app)).filter((file) => file.path.startsWith(sessionId));

/** Stores a file as `save` would, `daysAgo` days old, with no message; its `<session>/<file>` path. */
export async function putStoredFile(
  app: App,
  sessionId: string,
  bytes: Uint8Array,
  mimeType: string,
  daysAgo = 0,
): Promise<string> {
  const url = await app.media.save(sessionId, bytes, mimeType);
  const path = join(sessionId, url.split('/').pop() as string);
  if (daysAgo) await backdateStoredFile(app, path, daysAgo);
  return path;
}

/** Makes a stored file `daysAgo` days old (its age is what the sweeps look at). */
export async function backdateStoredFile(app: App, path: string, daysAgo: number) {
  const then = new Date(Date.now() - daysAgo * DAY_MS);
  if (app.media.kind === 'files') {
    utimesSync(join(app.dataDir, 'media', path), then, then);
    return;
  }
  const [sessionId, fileName] = path.split('/');
  await sql(app, 'update media_files set created_at = ? where session_id = ? and file_name = ?', [
    then,
    sessionId,
    fileName,
  ]);
}

/** Writes a file under DATA_DIR/media as the files store (or an older version) left it. */
export function writeLocalFile(dataDir: string, path: string, bytes: Uint8Array, daysAgo = 0) {
  const full = join(dataDir, 'media', path);
  mkdirSync(join(full, '..'), { recursive: true });
  writeFileSync(full, bytes);
  const then = new Date(Date.now() - daysAgo * DAY_MS);
  utimesSync(full, then, then);
}
