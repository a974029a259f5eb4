import type { IncomingMessage } from 'node:http';
import { Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import { MESSAGE_MAX_LENGTH } from '../contract/api.ts';
import { createMediaTypeCheck } from '../core/media-type.ts';
import { HttpError } from './http-error.ts';

/** Room for a text field: a caption's UTF-16 code units take at most 3 bytes each in UTF-8. */
const FIELD_MAX_BYTES = MESSAGE_MAX_LENGTH * 3 + 1024;
/** Text fields a form may have (the upload's are `body` and `category`). */
const FIELDS_MAX = 4;
/** What a form may carry besides its file: fields, part headers, boundaries. */
export const FORM_OVERHEAD_BYTES = 256 * 1024;

const REPLACEMENT_CHARACTER = '\uFFFD';
const BROKEN_TEXT = 'must be UTF-8 text without broken characters';

export type ReceivedFile = { mimeType: string; size: number };
export type MultipartUpload = { fields: Map<string, string>; file: ReceivedFile | null };

export type MultipartOptions = {
  /** The name of the one file field. */
  fileField: string;
  maxFileBytes: number;
  /** The error for a file larger than `maxFileBytes` (the size limit or what is left of a quota). */
  tooLarge: () => HttpError;
  /** Where the file's bytes go as they arrive (a file on disk): never into memory. Ended or destroyed here. */
  sink: Writable;
};

const invalid = (message: string) => new HttpError(400, 'validation_failed', message);
const notAllowedType = () =>
  invalid(
    'file: must be a JPEG, PNG, GIF, WebP or PDF file, a voice recording (Ogg, WebM or MP4 audio), or UTF-8 text (judged by its content)',
  );

/**
 * Reads a multipart/form-data upload as it streams in: text fields into memory (small, bounded), the one
 * file straight into `sink`, its type decided by its content as its first bytes arrive. Stops reading at
 * the first thing wrong (a file too large, a type not allowed, too many parts, a client gone) and rejects
 * with the HttpError to answer (other errors: the disk failed); the caller then closes the connection
 * rather than read the rest.
 */
export function readMultipartUpload(
  req: IncomingMessage,
  options: MultipartOptions,
): Promise<MultipartUpload> {
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: req.headers,
      limits: {
        files: 1,
        fields: FIELDS_MAX,
        parts: FIELDS_MAX + 1,
        fieldSize: FIELD_MAX_BYTES,
        fileSize: options.maxFileBytes,
        headerPairs: 20,
      },
    });
  } catch {
    return Promise.reject(invalid('body: must be multipart/form-data with a `file` field'));
  }

  return new Promise((resolve, reject) => {
    const fields = new Map<string, string>();
    let file: Promise<ReceivedFile> | null = null;
    let received = 0;
    let settled = false;
    const tooManyParts = () =>
      invalid(`body: one file, in the field \`${options.fileField}\`, and at most ${FIELDS_MAX} text fields`);

    const stopReading = () => {
      req.off('data', countBytes);
      req.unpipe(parser);
      req.pause();
    };
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      stopReading();
      options.sink.destroy();
      reject(error);
    };
    /** The whole body is bounded too: junk around the parts is not worth reading. */
    const countBytes = (chunk: Buffer) => {
      received += chunk.length;
      if (received > options.maxFileBytes + FORM_OVERHEAD_BYTES) fail(options.tooLarge());
    };

    req.on('data', countBytes);
    req.on('error', () => fail(new HttpError(400, 'bad_request', 'The upload was interrupted')));
    req.on('close', () => {
      if (!req.complete) fail(new HttpError(400, 'bad_request', 'The upload was interrupted'));
    });

    parser.on('field', (name, value, info) => {
      if (info.valueTruncated || info.nameTruncated) fail(invalid(`${name}: too long`));
      // Bytes that are not UTF-8 (and a lone surrogate, which a browser's FormData encodes as U+FFFD)
      // arrive as U+FFFD: the text was broken on the way, so it is refused rather than stored changed.
      else if (value.includes(REPLACEMENT_CHARACTER)) fail(invalid(`${name}: ${BROKEN_TEXT}`));
      else fields.set(name, value);
    });
    parser.on('file', (name, stream, info) => {
      if (name !== options.fileField || file) {
        stream.resume();
        fail(tooManyParts());
        return;
      }
      stream.on('limit', () => fail(options.tooLarge()));
      file = receiveFile(stream, info.mimeType, options.sink);
      file.catch(fail);
    });
    for (const limit of ['filesLimit', 'fieldsLimit', 'partsLimit'] as const) {
      parser.on(limit, () => fail(tooManyParts()));
    }
    parser.on('error', () => fail(invalid('body: malformed multipart/form-data')));
    parser.on('close', () => {
      if (!file) options.sink.end();
      (file ?? Promise.resolve(null)).then((stored) => {
        if (settled) return;
        settled = true;
        resolve({ fields, file: stored });
      }, fail);
    });
    req.pipe(parser);
  });
}

/** Streams the file part into `sink`, checking its type on the way; settles once it is all on disk. */
async function receiveFile(
  stream: NodeJS.ReadableStream,
  claimedType: string,
  sink: Writable,
): Promise<ReceivedFile> {
  const check = createMediaTypeCheck(claimedType);
  let size = 0;
  const typeCheck = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      done(check.update(chunk) ? null : notAllowedType(), chunk);
    },
  });
  await pipeline(stream, typeCheck, sink);
  const mimeType = check.finish();
  if (!mimeType) throw notAllowedType();
  return { mimeType, size };
}
