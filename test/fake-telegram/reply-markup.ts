import { badRequest } from './api-error.ts';
import type { InlineKeyboardButton, InlineKeyboardMarkup } from './types.ts';

export type ReplyMarkup = Record<string, unknown>;

const BUTTON_ACTIONS = [
  'url',
  'callback_data',
  'web_app',
  'login_url',
  'switch_inline_query',
  'switch_inline_query_current_chat',
  'switch_inline_query_chosen_chat',
  'copy_text',
  'callback_game',
  'pay',
];

/** Validates `reply_markup` the way the Bot API does for the parts a bot is likely to get wrong. */
export function readReplyMarkup(value: unknown, chatType: string): ReplyMarkup | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  let markup = value;
  if (typeof markup === 'string') {
    try {
      markup = JSON.parse(markup);
    } catch {
      throw badRequest("can't parse reply keyboard markup JSON object");
    }
  }
  if (typeof markup !== 'object' || markup === null || Array.isArray(markup)) {
    throw badRequest("can't parse reply keyboard markup JSON object");
  }
  const record = markup as ReplyMarkup;
  if ('inline_keyboard' in record) validateInlineKeyboard(record.inline_keyboard, chatType);
  return record;
}

function validateInlineKeyboard(rows: unknown, chatType: string) {
  if (!Array.isArray(rows) || rows.some((row) => !Array.isArray(row))) {
    throw badRequest('field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays');
  }
  for (const row of rows as unknown[][]) {
    for (const button of row) {
      if (typeof button !== 'object' || button === null) {
        throw badRequest("can't parse inline keyboard button: InlineKeyboardButton must be an Object");
      }
      const fields = button as Record<string, unknown>;
      if (typeof fields.text !== 'string') {
        throw badRequest('can\'t parse inline keyboard button: Field "text" must be of type String');
      }
      if (!BUTTON_ACTIONS.some((action) => fields[action] !== undefined)) {
        throw badRequest(
          "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
        );
      }
      if (fields.callback_data !== undefined) {
        const data = fields.callback_data;
        const bytes = typeof data === 'string' ? Buffer.byteLength(data, 'utf8') : 0;
        if (bytes < 1 || bytes > 64) throw badRequest('BUTTON_DATA_INVALID');
      }
      if (fields.url !== undefined && !isUrl(fields.url, ['http:', 'https:', 'tg:'])) {
        throw badRequest('BUTTON_URL_INVALID');
      }
      if (fields.web_app !== undefined) {
        if (chatType !== 'private') throw badRequest('BUTTON_TYPE_INVALID');
        const url = (fields.web_app as { url?: unknown } | null)?.url;
        if (!isUrl(url, ['https:'])) {
          throw badRequest(
            `inline keyboard button Web App URL '${String(url)}' is invalid: Only HTTPS links are allowed`,
          );
        }
      }
    }
  }
}

function isUrl(value: unknown, protocols: string[]): boolean {
  if (typeof value !== 'string') return false;
  try {
    return protocols.includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

export function inlineButtons(markup: unknown): InlineKeyboardButton[] {
  const keyboard = (markup as InlineKeyboardMarkup | undefined)?.inline_keyboard;
  return Array.isArray(keyboard) ? keyboard.flat() : [];
}

export function sameMarkup(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value ?? null, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([x], [y]) => x.localeCompare(y)))
      : inner,
  );
}
