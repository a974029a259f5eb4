import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, type ReadStream, type WriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Allowed media: what the widget may upload and what agents' files are stored as. */
export const MEDIA_TYPES: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'application/pdf': 'pdf',
  'text/plain': 'txt',
};
export const MEDIA_MAX_BYTES = 10 * 1024 * 1024;

const FILE_NAME = /^[0-9a-f-]{36}\.[a-z0-9]{1,5}$/;
const SESSION_ID = /^[0-9a-f-]{36}$/;
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
 * A file appears there only once its request is accepted: uploads stream into `media/.incoming/` and are
 * moved into place (`keep`) just before their message is stored; the caller `discard`s it if storing
 * fails, and an incoming file is removed whatever happens to its request.
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

  return {
    /** Stores bytes for a session; returns the message's media URL. */
    async save(sessionId: string, bytes: Uint8Array, mimeType: string): Promise<string> {
      const fileName = newFileName(mimeType);
      await mkdir(join(root, sessionId), { recursive: true });
      await writeFile(join(root, sessionId, fileName), bytes);
      return mediaUrl(sessionId, fileName);
    },

    /** A new file in the incoming folder, to stream an upload into. */
    async createIncoming(): Promise<IncomingFile> {
      await mkdir(incoming, { recursive: true });
      const path = join(incoming, randomUUID());
      return { path, stream: createWriteStream(path, { flags: 'wx' }) };
    },

    /** Moves a received file into the session's media; returns the message's media URL. */
    async keep(file: IncomingFile, sessionId: string, mimeType: string): Promise<string> {
      const fileName = newFileName(mimeType);
      await mkdir(join(root, sessionId), { recursive: true });
      await rename(file.path, join(root, sessionId, fileName));
      return mediaUrl(sessionId, fileName);
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
     * Removes a message's file: one saved for a message that was then not stored (refused, failed), or
     * one past its retention. Harmless when the file is already gone.
     */
    async discard(mediaUrl: string): Promise<void> {
      const file = this.parseUrl(mediaUrl);
      if (!file || !FILE_NAME.test(file.fileName)) return;
      await rm(join(root, file.sessionId, file.fileName), { force: true });
    },

    /** The session id and file name of a media URL made by `save`. */
    parseUrl(mediaUrl: string): { sessionId: string; fileName: string } | null {
      const match = /^\/api\/session\/([0-9a-f-]{36})\/media\/([^/]+)$/.exec(mediaUrl);
      return match ? { sessionId: match[1] as string, fileName: match[2] as string } : null;
    },
  };
}
