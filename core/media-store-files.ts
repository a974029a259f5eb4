import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, opendir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createIncomingFiles } from './media-incoming.ts';
import {
  FILE_NAME,
  inBatches,
  isStoredName,
  type MediaStore,
  mediaUrlOf,
  mimeTypeOf,
  newFileName,
  parseMediaUrl,
  SESSION_ID,
} from './media-store.ts';

/**
 * Files still arriving live here (same file system as the media, so keeping one is a rename). The name
 * cannot be a session id, so no media URL reaches it.
 */
const INCOMING_DIR = '.incoming';

export type FileMediaStore = MediaStore & {
  /** When a stored file joined its session (its modification time), or null when there is none. */
  createdAt(sessionId: string, fileName: string): Promise<Date | null>;
};

/**
 * Media under `DATA_DIR/media/<session id>/<file>`: for one instance (PGlite), or instances sharing
 * DATA_DIR. Uploads stream into `media/.incoming/` and are renamed into place (`keep`); agents' files are
 * written there and renamed likewise (`save`), so a write cut short leaves no partial file among the
 * session's media. A file's modification time is when it joined its session (the orphan sweep's age).
 */
export function createFileMediaStore(dataDir: string): FileMediaStore {
  const root = join(dataDir, 'media');
  const incoming = createIncomingFiles(join(root, INCOMING_DIR));

  /** A stored file's path, size, type and time, when the names are well-formed and it exists. */
  const find = async (sessionId: string, fileName: string) => {
    if (!isStoredName(sessionId, fileName)) return null;
    const path = join(root, sessionId, fileName);
    const info = await stat(path).catch(() => null);
    if (!info?.isFile()) return null;
    return { path, size: info.size, mimeType: mimeTypeOf(fileName), modifiedAt: info.mtime };
  };
  /** Moves an incoming file into the session's media, dated now; returns its media URL. */
  const moveIntoSession = async (path: string, sessionId: string, mimeType: string) => {
    const fileName = newFileName(mimeType);
    await mkdir(join(root, sessionId), { recursive: true });
    const now = new Date();
    await utimes(path, now, now);
    await rename(path, join(root, sessionId, fileName));
    return mediaUrlOf(sessionId, fileName);
  };

  /** The media URLs of session folders' files last modified more than `olderThanMs` ago. */
  async function* filesOlderThan(olderThanMs: number): AsyncGenerator<string> {
    const folders = await opendir(root).catch(() => null);
    if (!folders) return;
    for await (const folder of folders) {
      if (!folder.isDirectory() || !SESSION_ID.test(folder.name)) continue;
      const files = await opendir(join(root, folder.name)).catch(() => null);
      if (!files) continue;
      for await (const file of files) {
        if (!file.isFile() || !FILE_NAME.test(file.name)) continue;
        const info = await stat(join(root, folder.name, file.name)).catch(() => null);
        if (info && Date.now() - info.mtimeMs > olderThanMs) yield mediaUrlOf(folder.name, file.name);
      }
    }
  }

  return {
    kind: 'files',

    async save(sessionId, bytes, mimeType) {
      await mkdir(incoming.dir, { recursive: true });
      const path = join(incoming.dir, randomUUID());
      try {
        await writeFile(path, bytes, { flag: 'wx' });
        return await moveIntoSession(path, sessionId, mimeType);
      } finally {
        await rm(path, { force: true });
      }
    },

    createIncoming: incoming.create,

    async keep(file, sessionId, mimeType) {
      return moveIntoSession(file.path, sessionId, mimeType);
    },

    removeIncoming: incoming.remove,
    removeStaleIncoming: incoming.removeStale,

    /**
     * Session folders are read as they go. Only names the store gives (a session id's folder, a file
     * name of `save` / `keep`); the incoming folder and anything else are not listed.
     */
    filesOlderThan(olderThanMs, batchSize) {
      return inBatches(filesOlderThan(olderThanMs), batchSize);
    },

    async usage(sessionId) {
      if (!SESSION_ID.test(sessionId)) return 0;
      const dir = join(root, sessionId);
      const names = await readdir(dir).catch(() => [] as string[]);
      const sizes = await Promise.all(
        names.map((name) =>
          stat(join(dir, name)).then(
            (s) => s.size,
            () => 0,
          ),
        ),
      );
      return sizes.reduce((sum, size) => sum + size, 0);
    },

    async open(sessionId, fileName) {
      const file = await find(sessionId, fileName);
      return file && { bytes: await readFile(file.path), mimeType: file.mimeType };
    },

    async openStream(sessionId, fileName) {
      const file = await find(sessionId, fileName);
      return file && { stream: createReadStream(file.path), size: file.size, mimeType: file.mimeType };
    },

    async discard(mediaUrl) {
      const file = parseMediaUrl(mediaUrl);
      if (!file || !isStoredName(file.sessionId, file.fileName)) return;
      await rm(join(root, file.sessionId, file.fileName), { force: true });
    },

    async removeSession(sessionId) {
      if (!SESSION_ID.test(sessionId)) return;
      await rm(join(root, sessionId), { recursive: true, force: true });
    },

    parseUrl: parseMediaUrl,

    async createdAt(sessionId, fileName) {
      return (await find(sessionId, fileName))?.modifiedAt ?? null;
    },
  };
}
