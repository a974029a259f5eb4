/** Shapes shared by the fake's parts. Telegram's own objects come from grammY's type package. */
export type {
  CallbackQuery,
  Chat,
  ChatMember,
  ForumTopic,
  InlineKeyboardButton,
  InlineKeyboardMarkup,
  Message,
  MessageEntity,
  PhotoSize,
  ReactionType,
  ReactionTypeEmoji,
  Update,
  User,
} from 'grammy/types';

/** Request parameters as parsed from JSON, a form or the query string. */
export type Params = Record<string, unknown>;

/** A file part of a multipart request. */
export interface UploadedFile {
  fileName: string;
  mimeType: string;
  bytes: Buffer;
}

export type MemberStatus = 'creator' | 'administrator' | 'member' | 'left' | 'kicked' | 'restricted';

/**
 * Recorded params (a parsed object) are read field by field in tests (`call.params.chat_id`), so
 * they are typed loosely.
 */
// biome-ignore lint/suspicious/noExplicitAny: recorded request params are checked field by field.
export type RecordedParams = any;

/** One request to the fake's Bot API (or a file download, recorded as method `download`). */
export interface ApiCall {
  method: string;
  /** As parsed; multipart file parts appear as `{ fileName, mimeType, size }`. */
  params: RecordedParams;
  /** When the request arrived (ms since epoch). */
  at: number;
  /** HTTP status answered; 0 when no answer was given (hung, client went away). */
  status: number;
  ok: boolean;
  errorCode?: number;
  description?: string;
  result?: unknown;
  /** For 429 answers: the retry_after given. */
  retryAfter?: number;
  /** Set for calls that came back in a webhook response body instead of an HTTP request. */
  viaWebhookReply?: boolean;
}

/** One attempt to POST an update to the webhook. */
export interface WebhookDelivery {
  url: string;
  updateId: number;
  /** HTTP status of the receiver; 0 on a connection error or timeout. */
  status: number;
  at: number;
  error?: string;
}
