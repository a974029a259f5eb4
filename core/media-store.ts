import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
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

export type MediaStore = ReturnType<typeof createMediaStore>;

/**
 * Files of conversations under `DATA_DIR/media/<session id>/`. A message's `media_url` is
 * `/api/session/<session id>/media/<file>`, served only to that session's token.
 */
export function createMediaStore(dataDir: string) {
  const root = join(dataDir, 'media');
  return {
    /** Stores bytes for a session; returns the message's media URL. */
    async save(sessionId: string, bytes: Uint8Array, mimeType: string): Promise<string> {
      const extension = MEDIA_TYPES[mimeType] ?? 'bin';
      const fileName = `${randomUUID()}.${extension}`;
      await mkdir(join(root, sessionId), { recursive: true });
      await writeFile(join(root, sessionId, fileName), bytes);
      return `/api/session/${sessionId}/media/${fileName}`;
    },

    /** The stored file behind a media URL of this session, or null. */
    async open(sessionId: string, fileName: string): Promise<{ bytes: Buffer; mimeType: string } | null> {
      if (!FILE_NAME.test(fileName) || !/^[0-9a-f-]{36}$/.test(sessionId)) return null;
      const path = join(root, sessionId, fileName);
      if (!(await stat(path).catch(() => null))?.isFile()) return null;
      const extension = fileName.split('.').pop();
      const mimeType =
        Object.entries(MEDIA_TYPES).find(([, ext]) => ext === extension)?.[0] ?? 'application/octet-stream';
      return { bytes: await readFile(path), mimeType };
    },

    /**
     * Removes a file saved for a message that was then not stored (refused, failed): nothing is left
     * behind. Harmless when the file is already gone.
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
