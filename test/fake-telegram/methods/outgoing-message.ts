import { badRequest } from '../api-error.ts';
import type { ChatRecord } from '../chat-store.ts';
import type { FakeState } from '../fake-state.ts';
import { sendingTopic } from '../forum-topics.ts';
import { optionalBoolean, optionalInteger, optionalJson } from '../param-readers.ts';
import type { ReplyMarkup } from '../reply-markup.ts';
import type { InlineKeyboardMarkup, Message, Params } from '../types.ts';

/**
 * Where a new message of `senderId` lands and what it replies to: its topic (`message_thread_id`,
 * or the replied message's topic when none is given, as the Bot API does), `is_topic_message`, and
 * `reply_to_message` for a reply in the same topic, `external_reply` for one across topics. In a
 * forum supergroup a topic message that replies to nothing carries the topic's forum_topic_created
 * message as reply_to_message, as the Bot API reports it (an implicit reply; not in private chats).
 */
export function placement(
  params: Params,
  record: ChatRecord,
  state: FakeState,
  senderId: number = state.bot.id,
): Partial<Message> {
  const replied = replyTarget(params, record, state);
  return placeMessage(state, record, {
    threadId: optionalInteger(params, 'message_thread_id'),
    replied,
    senderId,
  });
}

export function placeMessage(
  state: FakeState,
  record: ChatRecord,
  {
    threadId,
    replied,
    senderId,
  }: { threadId: number | undefined; replied: Message | undefined; senderId: number },
): Partial<Message> {
  const topic = sendingTopic(state, record, threadId ?? replied?.message_thread_id, senderId);
  const fields: Partial<Message> = {};
  if (topic) {
    fields.message_thread_id = topic.message_thread_id;
    fields.is_topic_message = true;
  }
  if (replied && replied.message_thread_id === topic?.message_thread_id) {
    fields.reply_to_message = withoutNestedReply(replied);
  } else if (replied) {
    fields.external_reply = {
      origin: replied.from
        ? { type: 'user', sender_user: replied.from, date: replied.date }
        : { type: 'hidden_user', sender_user_name: 'Unknown', date: replied.date },
      chat: replied.chat,
      message_id: replied.message_id,
    } as Message['external_reply'];
  } else if (topic && record.chat.type === 'supergroup') {
    const opener = state.chats.message(record.chat.id, topic.message_thread_id);
    if (opener) fields.reply_to_message = withoutNestedReply(opener);
  }
  return fields;
}

/** The message a send replies to (`reply_parameters` or the older `reply_to_message_id`). */
export function replyTarget(params: Params, record: ChatRecord, state: FakeState): Message | undefined {
  const parameters = optionalJson(params, 'reply_parameters', "can't parse reply parameters JSON object") as
    | { message_id?: unknown; allow_sending_without_reply?: unknown }
    | undefined;
  const messageId = parameters
    ? optionalInteger(parameters as Params, 'message_id')
    : optionalInteger(params, 'reply_to_message_id');
  if (messageId === undefined) return undefined;
  const target = state.chats.message(record.chat.id, messageId);
  if (target) return target;
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
