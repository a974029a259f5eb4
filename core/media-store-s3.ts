import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { moveLocalFiles } from './media-import.ts';
import { createIncomingFiles } from './media-incoming.ts';
import {
  inBatches,
  isStoredName,
  type MediaStore,
  mediaUrlOf,
  mimeTypeOf,
  newFileName,
  parseMediaUrl,
  SESSION_ID,
} from './media-store.ts';
import type { FileMediaStore } from './media-store-files.ts';
import type { S3Client } from './s3-client.ts';

/** Objects live under this prefix: `media/<session id>/<file>`. */
const PREFIX = 'media/';
const keyOf = (sessionId: string, fileName: string) => `${PREFIX}${sessionId}/${fileName}`;
/** The media URL of an object key this store wrote, or null for anything else in the bucket. */
function mediaUrlOfKey(key: string): string | null {
  const [sessionId = '', fileName = '', ...rest] = key.slice(PREFIX.length).split('/');
  return key.startsWith(PREFIX) && rest.length === 0 && isStoredName(sessionId, fileName)
    ? mediaUrlOf(sessionId, fileName)
    : null;
}

/**
 * Media in an S3-compatible bucket (MEDIA_STORE=s3), so that every instance serves every file. Uploads
 * stream into a local incoming file and are PUT once accepted; downloads stream from the bucket. An
 * object's age is its LastModified (the bucket's clock). Like the database store, files left under
 * `DATA_DIR/media` are read through and moved in by housekeeping (an imported file's age starts again).
 */
export function createS3MediaStore(deps: {
  s3: S3Client;
  local: FileMediaStore;
  dataDir: string;
}): MediaStore & Required<Pick<MediaStore, 'importLocalFiles'>> {
  const { s3, local } = deps;
  const incoming = createIncomingFiles(join(deps.dataDir, 'media', '.incoming'));

  const put = async (sessionId: string, bytes: Uint8Array, mimeType: string) => {
    const fileName = newFileName(mimeType);
    await s3.put(keyOf(sessionId, fileName), bytes, mimeType);
    return mediaUrlOf(sessionId, fileName);
  };

  /** The media URLs of the bucket's objects last modified more than `olderThanMs` ago. */
  async function* objectsOlderThan(olderThanMs: number): AsyncGenerator<string> {
    const cutoff = Date.now() - olderThanMs;
    for await (const page of s3.list(PREFIX)) {
      for (const object of page) {
        const url = mediaUrlOfKey(object.key);
        if (url && object.lastModified.getTime() < cutoff) yield url;
      }
    }
  }

  return {
    kind: 's3',
    save: put,
    createIncoming: incoming.create,
    async keep(file, sessionId, mimeType) {
      return put(sessionId, await readFile(file.path), mimeType);
    },
    removeIncoming: incoming.remove,
    removeStaleIncoming: incoming.removeStale,

    filesOlderThan(olderThanMs, batchSize) {
      return inBatches(objectsOlderThan(olderThanMs), batchSize);
    },

    async usage(sessionId) {
      if (!SESSION_ID.test(sessionId)) return 0;
      let bytes = await local.usage(sessionId);
      for await (const page of s3.list(`${PREFIX}${sessionId}/`)) {
        for (const object of page) bytes += object.size;
      }
      return bytes;
    },

    async open(sessionId, fileName) {
      if (!isStoredName(sessionId, fileName)) return null;
      const response = await s3.get(keyOf(sessionId, fileName));
      if (!response) return local.open(sessionId, fileName);
      return { bytes: Buffer.from(await response.arrayBuffer()), mimeType: mimeTypeOf(fileName) };
    },

    async openStream(sessionId, fileName) {
      if (!isStoredName(sessionId, fileName)) return null;
      const response = await s3.get(keyOf(sessionId, fileName));
      if (!response) return local.openStream(sessionId, fileName);
      const body = response.body as WebReadableStream<Uint8Array> | null;
      return {
        stream: body ? Readable.fromWeb(body) : Readable.from([]),
        size: Number(response.headers.get('content-length') ?? 0),
        mimeType: mimeTypeOf(fileName),
      };
    },

    async discard(mediaUrl) {
      const file = parseMediaUrl(mediaUrl);
      if (!file || !isStoredName(file.sessionId, file.fileName)) return;
      await s3.delete(keyOf(file.sessionId, file.fileName));
      await local.discard(mediaUrl);
    },

    async removeSession(sessionId) {
      if (!SESSION_ID.test(sessionId)) return;
      for await (const page of s3.list(`${PREFIX}${sessionId}/`)) {
        for (const object of page) await s3.delete(object.key);
      }
      await local.removeSession(sessionId);
    },

    parseUrl: parseMediaUrl,

    /** An object already there (another instance moved it first) is left as it is. */
    importLocalFiles: () =>
      moveLocalFiles(local, async (file) => {
        const key = keyOf(file.sessionId, file.fileName);
        if (!(await s3.head(key))) await s3.put(key, file.bytes, file.mimeType);
      }),
  };
}
