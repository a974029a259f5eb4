/**
 * Limits of the visitor API as plain values, with no imports: the widget bundles these without zod.
 * `api.ts` re-exports them for the server. Text lengths are in UTF-16 code units (JavaScript's `length`,
 * HTML's `maxlength`), as Telegram counts them: most emoji are 2.
 */

/**
 * Longer than one Telegram message (4,096): delivery splits a message into parts, never cuts it, so the
 * limit is about what a chat message plausibly is, not Telegram's.
 */
export const MESSAGE_MAX_LENGTH = 8000;

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

/**
 * Voice recordings the widget may upload (MediaRecorder's formats, in the order it prefers them): Opus in
 * Ogg (Firefox) goes to Telegram as it is, Opus in WebM (Chromium) is repackaged as Ogg on the server, MP4
 * audio (Safari) goes as M4A.
 */
export const VOICE_TYPES = ['audio/ogg;codecs=opus', 'audio/webm;codecs=opus', 'audio/mp4'];

export const RATING_COMMENT_MAX_LENGTH = 1000;

/**
 * The reactions a visitor may put on an agent's message: a short choice among the emoji Telegram accepts
 * as reactions (ReactionTypeEmoji), so that each can be set on the agent's Telegram message. Spelled as
 * Telegram spells them: ❤ without the emoji variation selector (the API also takes ❤️).
 */
export const VISITOR_REACTIONS = ['👍', '❤', '😁', '🙏', '👌', '🔥', '🎉', '😢', '🤔', '👎'] as const;
export type VisitorReaction = (typeof VISITOR_REACTIONS)[number];

/** How long after sending a visitor may edit or delete a message, unless the server says otherwise. */
export const DEFAULT_EDIT_WINDOW_SECONDS = 15 * 60;
