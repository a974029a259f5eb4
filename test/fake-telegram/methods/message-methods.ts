import { badRequest } from '../api-error.ts';
import type { ChatRecord } from '../chat-store.ts';
import type { FakeState } from '../fake-state.ts';
import { sendingTopic } from '../forum-topics.ts';
import { formatText } from '../message-text.ts';
import { chatIdParam, optionalInteger, optionalString, requiredInteger } from '../param-readers.ts';
import { readReplyMarkup, sameMarkup } from '../reply-markup.ts';
import type { Message, MessageEntity, Params } from '../types.ts';
import type { MethodTable } from './method.ts';
import { inlineMarkup, placement, storeBotMessage, withoutUndefined } from './outgoing-message.ts';

const CHAT_ACTIONS = new Set([
  'typing',
  'upload_photo',
  'record_video',
  'upload_video',
  'record_voice',
  'upload_voice',
  'upload_document',
  'choose_sticker',
  'find_location',
  'record_video_note',
  'upload_video_note',
]);

/** Messages with these fields have a caption (video notes and stickers have none). */
const CAPTIONED = ['photo', 'document', 'voice', 'audio', 'animation'];

const SERVICE_FIELDS = [
  'forum_topic_created',
  'forum_topic_edited',
  'forum_topic_closed',
  'forum_topic_reopened',
];

const NOT_MODIFIED =
  'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message';

export const messageMethods: MethodTable = {
  sendMessage(params, { state }) {
    const record = state.chats.writableChat(chatIdParam(params));
    const { text, entities } = formatText(params.text, params.parse_mode, params.entities, 'text');
    const markup = readReplyMarkup(params.reply_markup, record.chat.type);
    return storeBotMessage(state, record, {
      ...placement(params, record, state),
      text,
      entities: entities.length ? entities : undefined,
      reply_markup: inlineMarkup(markup),
      link_preview_options: params.link_preview_options as Message['link_preview_options'],
    });
  },

  editMessageText(params, { state }) {
    const { record, message } = editableMessage(state, params);
    if (message.text === undefined) throw badRequest('there is no text in the message to edit');
    const { text, entities } = formatText(params.text, params.parse_mode, params.entities, 'text');
    const markup = inlineMarkup(readReplyMarkup(params.reply_markup, record.chat.type));
    if (
      message.text === text &&
      sameEntities(message.entities, entities) &&
      sameMarkup(message.reply_markup, markup)
    ) {
      throw badRequest(NOT_MODIFIED);
    }
    return applyEdit(state, message, { text, entities: entities.length ? entities : undefined }, markup);
  },

  editMessageCaption(params, { state }) {
    const { record, message } = editableMessage(state, params);
    if (!CAPTIONED.some((field) => field in message)) {
      throw badRequest('there is no caption in the message to edit');
    }
    const { text, entities } = formatText(
      params.caption,
      params.parse_mode,
      params.caption_entities,
      'caption',
    );
    const markup = inlineMarkup(readReplyMarkup(params.reply_markup, record.chat.type));
    if (
      (message.caption ?? '') === text &&
      sameEntities(message.caption_entities, entities) &&
      sameMarkup(message.reply_markup, markup)
    ) {
      throw badRequest(NOT_MODIFIED);
    }
    return applyEdit(
      state,
      message,
      { caption: text || undefined, caption_entities: entities.length ? entities : undefined },
      markup,
    );
  },

  editMessageReplyMarkup(params, { state }) {
    const { record, message } = editableMessage(state, params);
    const markup = inlineMarkup(readReplyMarkup(params.reply_markup, record.chat.type));
    if (sameMarkup(message.reply_markup, markup)) throw badRequest(NOT_MODIFIED);
    return applyEdit(state, message, {}, markup);
  },

  sendChatAction(params, { state }) {
    const record = state.chats.writableChat(chatIdParam(params));
    const action = optionalString(params, 'action') ?? '';
    if (!CHAT_ACTIONS.has(action)) throw badRequest('wrong parameter action in request');
    const topic = sendingTopic(state, record, optionalInteger(params, 'message_thread_id'), state.bot.id);
    state.chatActions.push({
      chatId: record.chat.id,
      ...(topic ? { threadId: topic.message_thread_id } : {}),
      action,
      at: Date.now(),
    });
    return true;
  },

  copyMessage(params, { state }) {
    const { target, source } = copySourceAndTarget(state, params);
    const caption =
      params.caption !== undefined
        ? formatText(params.caption, params.parse_mode, params.caption_entities, 'caption')
        : undefined;
    const copied = storeBotMessage(state, target, {
      ...placement(params, target, state),
      ...content(source),
      ...(caption && CAPTIONED.some((field) => field in source)
        ? {
            caption: caption.text || undefined,
            caption_entities: caption.entities.length ? caption.entities : undefined,
          }
        : {}),
      reply_markup: inlineMarkup(readReplyMarkup(params.reply_markup, target.chat.type)),
    });
    return { message_id: copied.message_id };
  },

  forwardMessage(params, { state }) {
    const { target, source } = copySourceAndTarget(state, params);
    const origin = source.from
      ? { type: 'user', sender_user: source.from, date: source.date }
      : { type: 'hidden_user', sender_user_name: 'Unknown', date: source.date };
    const { message_thread_id, is_topic_message } = placement(
      { ...params, reply_parameters: undefined },
      target,
      state,
    );
    return storeBotMessage(state, target, {
      message_thread_id,
      is_topic_message,
      ...content(source),
      forward_origin: origin as Message['forward_origin'],
    });
  },
};

function editableMessage(state: FakeState, params: Params): { record: ChatRecord; message: Message } {
  if (params.inline_message_id !== undefined && params.chat_id === undefined) {
    throw badRequest('MESSAGE_ID_INVALID'); // the fake has no inline messages
  }
  const record = state.chats.writableChat(chatIdParam(params));
  const messageId = requiredInteger(params, 'message_id', 'message identifier is not specified');
  const message = state.chats.message(record.chat.id, messageId);
  if (!message) throw badRequest('message to edit not found');
  if (message.from?.id !== state.bot.id) throw badRequest("message can't be edited");
  return { record, message };
}

function applyEdit(
  state: FakeState,
  message: Message,
  changes: Partial<Message>,
  markup: Message['reply_markup'],
): Message {
  const edited = { ...message, ...changes, edit_date: Math.floor(Date.now() / 1000) } as Message;
  for (const key of Object.keys(changes) as (keyof Message)[]) {
    if (changes[key] === undefined) delete edited[key];
  }
  if (markup) edited.reply_markup = markup;
  else delete edited.reply_markup;
  state.chats.store(edited);
  return structuredClone(edited);
}

function sameEntities(current: MessageEntity[] | undefined, next: MessageEntity[]): boolean {
  return JSON.stringify(current ?? []) === JSON.stringify(next);
}

function copySourceAndTarget(state: FakeState, params: Params): { target: ChatRecord; source: Message } {
  const target = state.chats.writableChat(chatIdParam(params));
  const from = state.chats.apiChat(chatIdParam(params, 'from_chat_id'));
  const messageId = requiredInteger(params, 'message_id', 'message identifier is not specified');
  const source = state.chats.message(from.chat.id, messageId);
  if (!source) throw badRequest('message to copy not found');
  if (SERVICE_FIELDS.some((field) => field in source)) throw badRequest("message can't be copied");
  return { target, source };
}

/** The content fields of a message (what copy and forward carry over). */
function content(message: Message): Partial<Message> {
  return structuredClone(
    withoutUndefined({
      text: message.text,
      entities: message.entities,
      photo: message.photo,
      document: message.document,
      voice: message.voice,
      audio: message.audio,
      video_note: message.video_note,
      sticker: message.sticker,
      animation: message.animation,
      location: message.location,
      caption: message.caption,
      caption_entities: message.caption_entities,
    }),
  );
}
