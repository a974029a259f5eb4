/**
 * Limits of the visitor API as plain values, with no imports: the widget bundles these without zod.
 * `api.ts` re-exports them for the server.
 */

export const MESSAGE_MAX_LENGTH = 4000;

/** Attachments the widget may upload (multipart field `file`, optional `body` as caption). */
export const UPLOAD_TYPES = [
  'image/jpeg',
  'image/png',
  'image/gif',
  'image/webp',
  'application/pdf',
  'text/plain',
];
export const UPLOAD_MAX_BYTES = 10 * 1024 * 1024;

export const RATING_COMMENT_MAX_LENGTH = 1000;
