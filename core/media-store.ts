import { randomUUID } from 'node:crypto';
import type { WriteStream } from 'node:fs';
import type { Readable } from 'node:stream';

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

/** A stored file's name: what `save` / `keep` give (a uuid and the type's extension). */
export const FILE_NAME = /^[0-9a-f-]{36}\.[a-z0-9]{1,5}$/;
/** A session id as PostgreSQL writes a uuid. */
export const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A file being received: written to `path` through `stream`, kept or removed once the request is decided. */
export type IncomingFile = { path: string; stream: WriteStream };

/** Where media is kept: `DATA_DIR/media` (one instance), the database, or an S3-compatible bucket. */
export type MediaStoreKind = 'files' | 'postgres' | 's3';

/**
 * The files of conversations. A message's `media_url` is `/api/session/<session id>/media/<file>`,
 * served only to that session's token.
 *
 * A file joins its session, complete, only once its request is accepted: uploads stream into a local
 * incoming file first and are kept (`keep`) just before their message is stored, agents' files are
 * saved likewise (`save`); the caller `discard`s it if storing the message fails, and an incoming file
 * is removed whatever happens to its request. A process that stops between keeping a file and
 * committing its message leaves a file no message references: housekeeping finds those
 * (`filesOlderThan`) and removes them once they are old enough that no message can still be committing
 * with them.
 */
export interface MediaStore {
  readonly kind: MediaStoreKind;
  /** Stores bytes for a session, just before their message is stored; returns the message's media URL. */
  save(sessionId: string, bytes: Uint8Array, mimeType: string): Promise<string>;
  /** A new local incoming file, to stream an upload into. */
  createIncoming(): Promise<IncomingFile>;
  /** Makes a received file one of the session's media, dated now; returns the message's media URL. */
  keep(file: IncomingFile, sessionId: string, mimeType: string): Promise<string>;
  /** Removes an incoming file (once kept, it may no longer be there: harmless). */
  removeIncoming(file: IncomingFile): Promise<void>;
  /** Removes this instance's incoming files older than `olderThanMs` (left by a stopped process). */
  removeStaleIncoming(olderThanMs: number): Promise<number>;
  /**
   * The media URLs of stored files older than `olderThanMs`, at most `batchSize` at a time (bounded
   * memory however many there are). For the orphan sweep, which removes those no message references.
   */
  filesOlderThan(olderThanMs: number, batchSize: number): AsyncGenerator<string[]>;
  /** Bytes stored for a session (its quota counts these). */
  usage(sessionId: string): Promise<number>;
  /** The stored file behind a media URL of this session, or null. */
  open(sessionId: string, fileName: string): Promise<{ bytes: Buffer; mimeType: string } | null>;
  /** The same file as a stream, for answering HTTP requests without holding it in memory. */
  openStream(
    sessionId: string,
    fileName: string,
  ): Promise<{ stream: Readable; size: number; mimeType: string } | null>;
  /**
   * Removes a message's file: one saved for a message that was then not stored (refused, failed), one
   * past its retention, or one no message references. Harmless when the file is already gone.
   */
  discard(mediaUrl: string): Promise<void>;
  /** Removes every file of a session: the session was erased. Harmless when there is none. */
  removeSession(sessionId: string): Promise<void>;
  /** The session id and file name of a media URL made by `save` / `keep`. */
  parseUrl(mediaUrl: string): { sessionId: string; fileName: string } | null;
  /**
   * A shared store: moves files left under `DATA_DIR/media` (before the switch to it) in; returns how
   * many. Housekeeping calls it at start and hourly.
   */
  importLocalFiles?(): Promise<number>;
}

export const mediaUrlOf = (sessionId: string, fileName: string) =>
  `/api/session/${sessionId}/media/${fileName}`;

/** A new stored file's name: unique, with the type's extension. */
export const newFileName = (mimeType: string) => `${randomUUID()}.${MEDIA_TYPES[mimeType] ?? 'bin'}`;

/** The type a stored file is served as, from its extension. */
export function mimeTypeOf(fileName: string): string {
  const extension = fileName.split('.').pop();
  return Object.entries(MEDIA_TYPES).find(([, ext]) => ext === extension)?.[0] ?? 'application/octet-stream';
}

/** The session id and file name of a media URL (`/api/session/<id>/media/<file>`). */
export function parseMediaUrl(mediaUrl: string): { sessionId: string; fileName: string } | null {
  const match = /^\/api\/session\/([0-9a-f-]{36})\/media\/([^/]+)$/.exec(mediaUrl);
  return match ? { sessionId: match[1] as string, fileName: match[2] as string } : null;
}

/** Whether a session id and file name can name a stored file (anything else is never looked up). */
export const isStoredName = (sessionId: string, fileName: string) =>
  SESSION_ID.test(sessionId) && FILE_NAME.test(fileName);

/** What `items` yields, in arrays of at most `size` (the last may be shorter): bounded memory for sweeps. */
export async function* inBatches<T>(items: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const item of items) {
    batch.push(item);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
