import { ApiError } from './api-error.ts';
import { chatMember } from './chat-member.ts';
import type { ChatRecord } from './chat-store.ts';
import type { FakeState } from './fake-state.ts';
import type { FileKind } from './file-store.ts';
import { TOPIC_ICON_COLORS } from './forum-topics.ts';
import { mimeTypeFor } from './media-info.ts';
import {
  DEFAULT_FILE_NAME,
  documentOf,
  type MediaDetails,
  mediaFields,
  mediaMimeType,
  photoSizes,
} from './media-objects.ts';
import { placeMessage, withoutUndefined } from './methods/outgoing-message.ts';
import { botReceives } from './privacy-mode.ts';
import { inlineButtons } from './reply-markup.ts';
import type { MemberStatus, Message, MessageEntity, Update, User } from './types.ts';

export interface UserMessageOptions {
  /** The sender: a user registered with addUser. */
  from: number;
  /** Default: the sender's private chat with the bot. */
  chatId?: number;
  /**
   * The forum topic (message_thread_id) to post in: an existing topic of the chat. A reply to a
   * topic message lands in that topic without it.
   */
  threadId?: number;
  /** message_id of a stored message in the same chat. */
  replyTo?: number;
}

/** A user's voice message, video note, audio, sticker or animation (`bytes` default to a stand-in file). */
export interface UserMediaOptions extends UserMessageOptions {
  bytes?: Buffer;
  /** For audio and animations; default the kind's usual name (voice.oga, audio.mp3, …). */
  fileName?: string;
  caption?: string;
  duration?: number;
  /** Video notes: the diameter. */
  length?: number;
  performer?: string;
  title?: string;
  /** Stickers: the emoji (default 👍) and the format (default static .WEBP). */
  emoji?: string;
  stickerFormat?: 'static' | 'animated' | 'video';
}

export interface NewUserTopic {
  from: number;
  /** Default: the user's private chat with the bot (needs topics with users allowed to create them). */
  chatId?: number;
  name: string;
  iconColor?: number;
}

export interface ButtonClick {
  from: number;
  chatId: number;
  messageId: number;
  /** The inline button's text. */
  text: string;
}

export interface CallbackQueryInput {
  from: number;
  chatId: number;
  messageId: number;
  data: string;
}

/** What users do in Telegram, turned into updates for the bot. */
export class UserActions {
  private readonly state: FakeState;
  private readonly changed: () => void;
  private callbackCounter = 0;

  constructor(state: FakeState, changed: () => void) {
    this.state = state;
    this.changed = changed;
  }

  sendText(options: UserMessageOptions & { text: string }): Update {
    const entities = commandEntity(options.text);
    return this.userMessage(options, { text: options.text, entities });
  }

  sendPhoto(options: UserMessageOptions & { bytes: Buffer; caption?: string }): Update {
    const file = this.state.files.add('photo', options.bytes, 'photo.jpg', 'image/jpeg');
    return this.userMessage(options, {
      photo: photoSizes(file),
      caption: options.caption,
      caption_entities: options.caption === undefined ? undefined : commandEntity(options.caption),
    });
  }

  sendDocument(
    options: UserMessageOptions & { bytes: Buffer; fileName: string; mimeType?: string; caption?: string },
  ): Update {
    const mimeType = mimeTypeFor(options.fileName, options.mimeType);
    const file = this.state.files.add('document', options.bytes, options.fileName, mimeType);
    return this.userMessage(options, {
      document: documentOf(file),
      caption: options.caption,
      caption_entities: options.caption === undefined ? undefined : commandEntity(options.caption),
    });
  }

  /** Voice, video note, audio, sticker or animation; stored in the file store for getFile. */
  sendMedia(kind: Exclude<FileKind, 'photo' | 'document'>, options: UserMediaOptions): Update {
    const sticker = kind === 'sticker' ? STICKER_FORMATS[options.stickerFormat ?? 'static'] : undefined;
    const fileName = sticker?.fileName ?? options.fileName ?? DEFAULT_FILE_NAME[kind];
    const mimeType = sticker?.mimeType ?? mediaMimeType(kind, fileName, undefined);
    const bytes = options.bytes ?? Buffer.from(`fake ${kind} bytes`);
    const file = this.state.files.add(kind, bytes, fileName, mimeType);
    const details: MediaDetails = {
      duration: options.duration ?? (kind === 'sticker' ? undefined : 3),
      length: options.length,
      performer: options.performer,
      title: options.title,
      emoji: kind === 'sticker' ? (options.emoji ?? '👍') : undefined,
    };
    const captioned = kind !== 'sticker' && kind !== 'video_note' && options.caption !== undefined;
    return this.userMessage(options, {
      ...mediaFields(kind, file, withoutUndefined(details)),
      caption: captioned ? options.caption : undefined,
      caption_entities: captioned ? commandEntity(options.caption as string) : undefined,
    });
  }

  sendLocation(options: UserMessageOptions & { latitude: number; longitude: number }): Update {
    return this.userMessage(options, {
      location: { latitude: options.latitude, longitude: options.longitude },
    });
  }

  /** A user opens a topic: a forum_topic_created message from them (its message_id is the thread id). */
  createTopic({ from, chatId, name, iconColor = TOPIC_ICON_COLORS[0] as number }: NewUserTopic): Update {
    const user = this.state.chats.user(from);
    const record = this.state.chats.chat(chatId ?? from);
    if (record.chat.type === 'private') {
      if (!this.state.botTopics.enabled || !this.state.botTopics.usersCanCreate) {
        throw new Error(
          'fake Telegram: users can create topics in the chat with the bot only when setBotTopics({ enabled: true, usersCanCreate: true })',
        );
      }
    } else if (!record.chat.is_forum) {
      throw new Error(`fake Telegram: chat ${record.chat.id} is not a forum (addGroup({ isForum: true }))`);
    }
    const threadId = record.lastMessageId + 1;
    record.topics.set(threadId, {
      message_thread_id: threadId,
      name,
      icon_color: iconColor,
      is_closed: false,
      created_by: user.id,
    });
    return this.publish({
      message_id: this.state.chats.nextMessageId(record),
      from: user,
      chat: record.chat,
      date: now(),
      message_thread_id: threadId,
      is_topic_message: true,
      forum_topic_created: { name, icon_color: iconColor },
    } as Message);
  }

  clickButton({ from, chatId, messageId, text }: ButtonClick): Update {
    const message = this.storedMessage(chatId, messageId);
    const buttons = inlineButtons(message.reply_markup);
    const button = buttons.find((candidate) => candidate.text === text);
    if (!button) {
      const available = buttons.map((candidate) => JSON.stringify(candidate.text)).join(', ') || 'none';
      throw new Error(
        `fake Telegram: message ${messageId} in chat ${chatId} has no inline button "${text}" (buttons: ${available})`,
      );
    }
    if (!('callback_data' in button) || typeof button.callback_data !== 'string') {
      throw new Error(`fake Telegram: button "${text}" has no callback_data: ${JSON.stringify(button)}`);
    }
    return this.sendCallbackQuery({ from, chatId, messageId, data: button.callback_data });
  }

  sendCallbackQuery({ from, chatId, messageId, data }: CallbackQueryInput): Update {
    const user = this.state.chats.user(from);
    const message = this.storedMessage(chatId, messageId);
    this.callbackCounter += 1;
    const id = String(4_815_162_342_000_000_000n + BigInt(this.callbackCounter));
    this.state.callbackQueries.set(id, { answered: false });
    const chatInstance = String(-(7_000_000_000_000 + Math.abs(chatId)));
    return this.deliver({
      callback_query: {
        id,
        from: user,
        message: structuredClone(message),
        chat_instance: chatInstance,
        data,
      },
    });
  }

  /** The bot's membership in a group changes (a `my_chat_member` update from `by`). */
  botMembership({ groupId, by, status }: { groupId: number; by: number; status: MemberStatus }): Update {
    const record = this.state.chats.chat(groupId);
    const user = this.state.chats.user(by);
    const bot = this.state.bot;
    const old = chatMember(
      bot,
      this.state.chats.memberStatus(groupId, bot.id),
      this.state.chats.adminRights(groupId, bot.id),
    );
    this.state.chats.setMember(groupId, bot.id, status);
    return this.deliver({
      my_chat_member: {
        chat: record.chat,
        from: user,
        date: now(),
        old_chat_member: old,
        new_chat_member: chatMember(bot, status, this.state.chats.adminRights(groupId, bot.id)),
      },
    } as Omit<Update, 'update_id'>);
  }

  inject(update: Omit<Update, 'update_id'> & { update_id?: number }): Update {
    return this.deliver(update);
  }

  redeliver(updateId: number): Update {
    const update = this.state.updates.redeliver(updateId);
    this.changed();
    return structuredClone(update);
  }

  /** A message from the user with this content (inline-mode.ts: a picked inline result, `via_bot`). */
  postAsUser(options: UserMessageOptions, content: Partial<Message>): Update {
    return this.userMessage(options, content);
  }

  private userMessage(options: UserMessageOptions, content: Partial<Message>): Update {
    const user = this.state.chats.user(options.from);
    const record = this.state.chats.chat(options.chatId ?? options.from);
    if (record.chat.type === 'private' && record.chat.id !== user.id) {
      throw new Error(
        `fake Telegram: user ${user.id} cannot write in the private chat of user ${record.chat.id}`,
      );
    }
    if (record.chat.type === 'private') this.state.chats.markStarted(user.id);
    const replied =
      options.replyTo === undefined ? undefined : this.storedMessage(record.chat.id, options.replyTo);
    const place = this.userPlacement(record, user, options.threadId, replied);
    const message = {
      message_id: this.state.chats.nextMessageId(record),
      from: user,
      chat: record.chat,
      date: now(),
      ...place,
      ...withoutUndefined({
        ...content,
        entities: content.entities?.length ? content.entities : undefined,
        caption_entities: content.caption_entities?.length ? content.caption_entities : undefined,
      }),
    } as Message;
    return this.publish(message);
  }

  /** Stores a user's new message and delivers it when the bot gets to see it (update_id 0 if not). */
  private publish(message: Message): Update {
    this.state.chats.store(message);
    if (!botReceives(this.state, message)) {
      this.changed();
      return { update_id: 0, message: structuredClone(message) } as Update;
    }
    return this.deliver({ message } as Omit<Update, 'update_id'>);
  }

  /** The topic and reply of a user's message, with the Bot API's rules turned into test errors. */
  private userPlacement(
    record: ChatRecord,
    user: User,
    threadId: number | undefined,
    replied: Message | undefined,
  ): Partial<Message> {
    try {
      return placeMessage(this.state, record, { threadId, replied, senderId: user.id });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      throw new Error(
        `fake Telegram: user ${user.id} cannot post in thread ${threadId} of chat ${record.chat.id}: ${error.description}`,
      );
    }
  }

  private storedMessage(chatId: number, messageId: number): Message {
    const message = this.state.chats.message(chatId, messageId);
    if (!message) throw new Error(`fake Telegram: no message ${messageId} in chat ${chatId}`);
    return message;
  }

  private deliver(update: Omit<Update, 'update_id'> & { update_id?: number }): Update {
    const pushed = this.state.updates.push(structuredClone(update));
    this.changed();
    return structuredClone(pushed);
  }
}

const STICKER_FORMATS = {
  static: { fileName: 'sticker.webp', mimeType: 'image/webp' },
  animated: { fileName: 'sticker.tgs', mimeType: 'application/x-tgsticker' },
  video: { fileName: 'sticker.webm', mimeType: 'video/webm' },
};

/** Telegram marks a leading `/command` (or `/command@bot`) with a bot_command entity. */
export function commandEntity(text: string): MessageEntity[] | undefined {
  const command = /^\/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?/.exec(text);
  return command ? [{ type: 'bot_command', offset: 0, length: command[0].length }] : undefined;
}

export function now(): number {
  return Math.floor(Date.now() / 1000);
}
