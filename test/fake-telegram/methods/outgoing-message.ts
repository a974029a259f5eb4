import { badRequest } from '../api-error.ts';
import type { ChatRecord } from '../chat-store.ts';
import type { FakeState } from '../fake-state.ts';
import { optionalBoolean, optionalInteger, optionalJson } from '../param-readers.ts';
import type { ReplyMarkup } from '../reply-markup.ts';
import type { InlineKeyboardMarkup, Message, Params } from '../types.ts';

/** The message a send replies to (`reply_parameters` or the older `reply_to_message_id`). */
export function replyTarget(
  params: Params,
  record: ChatRecord,
  state: FakeState,
): Message['reply_to_message'] {
  const parameters = optionalJson(params, 'reply_parameters', "can't parse reply parameters JSON object") as
    | { message_id?: unknown; allow_sending_without_reply?: unknown }
    | undefined;
  const messageId = parameters
    ? optionalInteger(parameters as Params, 'message_id')
    : optionalInteger(params, 'reply_to_message_id');
  if (messageId === undefined) return undefined;
  const target = state.chats.message(record.chat.id, messageId);
  if (target) return withoutNestedReply(target);
  const allowWithout = parameters
    ? optionalBoolean(parameters as Params, 'allow_sending_without_reply')
    : optionalBoolean(params, 'allow_sending_without_reply');
  if (allowWithout) return undefined;
  throw badRequest('message to be replied not found');
}

/** Telegram's reply_to_message never carries its own reply_to_message. */
export function withoutNestedReply(message: Message): NonNullable<Message['reply_to_message']> {
  const { reply_to_message: _nested, ...rest } = structuredClone(message);
  return rest as NonNullable<Message['reply_to_message']>;
}

/** Telegram shows only inline keyboards in Message.reply_markup, and no empty ones. */
export function inlineMarkup(markup: ReplyMarkup | undefined): InlineKeyboardMarkup | undefined {
  if (!markup || !Array.isArray(markup.inline_keyboard)) return undefined;
  const rows = (markup as unknown as InlineKeyboardMarkup).inline_keyboard.filter((row) => row.length > 0);
  return rows.length > 0 ? { ...markup, inline_keyboard: rows } : undefined;
}

/** Stores a new message from the bot in the chat and returns a copy for the response. */
export function storeBotMessage(state: FakeState, record: ChatRecord, content: Partial<Message>): Message {
  const message = {
    message_id: state.chats.nextMessageId(record),
    from: state.bot,
    chat: record.chat,
    date: Math.floor(Date.now() / 1000),
    ...withoutUndefined(content),
  } as Message;
  state.chats.store(message);
  return structuredClone(message);
}

export function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, inner]) => inner !== undefined)) as Partial<T>;
}
