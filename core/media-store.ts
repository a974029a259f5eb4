import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, type ReadStream, type WriteStream } from 'node:fs';
import { mkdir, opendir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Allowed media: what the widget may upload and what agents' files are stored as. */
export const MEDIA_TYPES: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'application/pdf': 'pdf',
  'text/plain': 'txt',
  // Voice notes (Opus in Ogg), audio, and agents' video notes and GIF-like animations.
  'audio/ogg': 'ogg',
  'audio/mpeg': 'mp3',
  'audio/mp4': 'm4a',
  'video/mp4': 'mp4',
};
export const MEDIA_MAX_BYTES = 10 * 1024 * 1024;

const FILE_NAME = /^[0-9a-f-]{36}\.[a-z0-9]{1,5}$/;
const SESSION_ID = /^[0-9a-f-]{36}$/;
/** A session folder's name as PostgreSQL reads a uuid (what the orphan sweep asks the database about). */
const SESSION_FOLDER = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/**
 * Files still arriving live here (same file system as the media, so keeping one is a rename). The name
 * cannot be a session id, so no media URL reaches it.
 */
const INCOMING_DIR = '.incoming';

/** A file being received: written to `path` through `stream`, kept or removed once the request is decided. */
export type IncomingFile = { path: string; stream: WriteStream };

export type MediaStore = ReturnType<typeof createMediaStore>;

/**
 * Files of conversations under `DATA_DIR/media/<session id>/`. A message's `media_url` is
 * `/api/session/<session id>/media/<file>`, served only to that session's token.
 *
 * A file appears there, complete, only once its request is accepted: uploads stream into
 * `media/.incoming/` and are moved into place (`keep`) just before their message is stored, agents'
 * files are written there and moved likewise (`save`); the caller `discard`s it if storing fails, and an
 * incoming file is removed whatever happens to its request. A process that stops between the move and
 * the commit leaves a file no message references: housekeeping finds those (`filesOlderThan`) and
 * removes them once they are old enough that no message can still be committing with them.
 */
export function createMediaStore(dataDir: string) {
  const root = join(dataDir, 'media');
  const incoming = join(root, INCOMING_DIR);

  /** A stored file's path, size and type, when the names are well-formed and it exists. */
  const find = async (sessionId: string, fileName: string) => {
    if (!FILE_NAME.test(fileName) || !SESSION_ID.test(sessionId)) return null;
    const path = join(root, sessionId, fileName);
    const info = await stat(path).catch(() => null);
    if (!info?.isFile()) return null;
    const extension = fileName.split('.').pop();
    const mimeType =
      Object.entries(MEDIA_TYPES).find(([, ext]) => ext === extension)?.[0] ?? 'application/octet-stream';
    return { path, size: info.size, mimeType };
  };
  const mediaUrl = (sessionId: string, fileName: string) => `/api/session/${sessionId}/media/${fileName}`;
  const newFileName = (mimeType: string) => `${randomUUID()}.${MEDIA_TYPES[mimeType] ?? 'bin'}`;
  /** Moves an incoming file into the session's media, dated now; returns its media URL. */
  const moveIntoSession = async (path: string, sessionId: string, mimeType: string) => {
    const fileName = newFileName(mimeType);
    await mkdir(join(root, sessionId), { recursive: true });
    const now = new Date();
    await utimes(path, now, now);
    await rename(path, join(root, sessionId, fileName));
    return mediaUrl(sessionId, fileName);
  };

  return {
    /**
     * Stores bytes for a session, just before their message is stored; returns the message's media URL.
     * Written in the incoming folder and moved into place, so a write cut short leaves no partial file
     * among the session's media.
     */
    async save(sessionId: string, bytes: Uint8Array, mimeType: string): Promise<string> {
      await mkdir(incoming, { recursive: true });
      const path = join(incoming, randomUUID());
      try {
        await writeFile(path, bytes, { flag: 'wx' });
        return await moveIntoSession(path, sessionId, mimeType);
      } finally {
        await rm(path, { force: true });
      }
    },

    /** A new file in the incoming folder, to stream an upload into. */
    async createIncoming(): Promise<IncomingFile> {
      await mkdir(incoming, { recursive: true });
      const path = join(incoming, randomUUID());
      return { path, stream: createWriteStream(path, { flags: 'wx' }) };
    },

    /**
     * Moves a received file into the session's media; returns the message's media URL. Its modification
     * time becomes now: the orphan sweep counts a file's age from the moment it joined the session.
     */
    async keep(file: IncomingFile, sessionId: string, mimeType: string): Promise<string> {
      return moveIntoSession(file.path, sessionId, mimeType);
    },

    /** Removes an incoming file (once kept, it is no longer there: harmless). */
    async removeIncoming(file: IncomingFile): Promise<void> {
      file.stream.destroy();
      await rm(file.path, { force: true });
    },

    /**
     * Removes incoming files older than `olderThanMs`: left by a process that stopped mid-upload. Only
     * old ones, so that another instance's uploads in progress on a shared DATA_DIR are left alone.
     */
    async removeStaleIncoming(olderThanMs: number): Promise<number> {
      const names = await readdir(incoming).catch(() => [] as string[]);
      let removed = 0;
      for (const name of names) {
        const path = join(incoming, name);
        const info = await stat(path).catch(() => null);
        if (info && Date.now() - info.mtimeMs > olderThanMs) {
          await rm(path, { force: true });
          removed++;
        }
      }
      return removed;
    },

    /**
     * The media URLs of the files in session folders last modified more than `olderThanMs` ago, at most
     * `batchSize` at a time (folders are read as they go: bounded memory however many files there are).
     * Only names the store gives (a session id's folder, a file name of `save` / `keep`); the incoming
     * folder and anything else are not listed. For the orphan sweep, which removes those that no
     * message references.
     */
    async *filesOlderThan(olderThanMs: number, batchSize: number): AsyncGenerator<string[]> {
      const folders = await opendir(root).catch(() => null);
      if (!folders) return;
      let batch: string[] = [];
      for await (const folder of folders) {
        if (!folder.isDirectory() || !SESSION_FOLDER.test(folder.name)) continue;
        const files = await opendir(join(root, folder.name)).catch(() => null);
        if (!files) continue;
        for await (const file of files) {
          if (!file.isFile() || !FILE_NAME.test(file.name)) continue;
          const info = await stat(join(root, folder.name, file.name)).catch(() => null);
          if (!info || Date.now() - info.mtimeMs <= olderThanMs) continue;
          batch.push(mediaUrl(folder.name, file.name));
          if (batch.length >= batchSize) {
            yield batch;
            batch = [];
          }
        }
      }
      if (batch.length > 0) yield batch;
    },

    /** Bytes stored for a session (its quota counts these). */
    async usage(sessionId: string): Promise<number> {
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

    /** The stored file behind a media URL of this session, or null. */
    async open(sessionId: string, fileName: string): Promise<{ bytes: Buffer; mimeType: string } | null> {
      const file = await find(sessionId, fileName);
      return file && { bytes: await readFile(file.path), mimeType: file.mimeType };
    },

    /** The same file as a stream, for answering HTTP requests without holding it in memory. */
    async openStream(
      sessionId: string,
      fileName: string,
    ): Promise<{ stream: ReadStream; size: number; mimeType: string } | null> {
      const file = await find(sessionId, fileName);
      return file && { stream: createReadStream(file.path), size: file.size, mimeType: file.mimeType };
    },

    /**
     * Removes a message's file: one saved for a message that was then not stored (refused, failed), one
     * past its retention, or one no message references. Harmless when the file is already gone.
     */
    async discard(mediaUrl: string): Promise<void> {
      const file = this.parseUrl(mediaUrl);
      if (!file || !FILE_NAME.test(file.fileName)) return;
      await rm(join(root, file.sessionId, file.fileName), { force: true });
    },

    /** Removes every file of a session (its folder): the session was erased. Harmless when there is none. */
    async removeSession(sessionId: string): Promise<void> {
      if (!SESSION_FOLDER.test(sessionId)) return;
      await rm(join(root, sessionId), { recursive: true, force: true });
    },

    /** The session id and file name of a media URL made by `save`. */
    parseUrl(mediaUrl: string): { sessionId: string; fileName: string } | null {
      const match = /^\/api\/session\/([0-9a-f-]{36})\/media\/([^/]+)$/.exec(mediaUrl);
      return match ? { sessionId: match[1] as string, fileName: match[2] as string } : null;
    },
  };
}
