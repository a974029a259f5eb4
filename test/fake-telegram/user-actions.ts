import { chatMember } from './chat-member.ts';
import type { FakeState } from './fake-state.ts';
import { mimeTypeFor } from './media-info.ts';
import { documentOf, photoSizes } from './methods/media-methods.ts';
import { withoutNestedReply, withoutUndefined } from './methods/outgoing-message.ts';
import { botReceives } from './privacy-mode.ts';
import { inlineButtons } from './reply-markup.ts';
import type { MemberStatus, Message, MessageEntity, Update } from './types.ts';

export interface UserMessageOptions {
  /** The sender: a user registered with addUser. */
  from: number;
  /** Default: the sender's private chat with the bot. */
  chatId?: number;
  /** message_id of a stored message in the same chat. */
  replyTo?: number;
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
    const old = this.state.chats.memberStatus(groupId, this.state.bot.id);
    this.state.chats.setMember(groupId, this.state.bot.id, status);
    return this.deliver({
      my_chat_member: {
        chat: record.chat,
        from: user,
        date: now(),
        old_chat_member: chatMember(this.state.bot, old),
        new_chat_member: chatMember(this.state.bot, status),
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
    const message = {
      message_id: this.state.chats.nextMessageId(record),
      from: user,
      chat: record.chat,
      date: now(),
      ...withoutUndefined({
        ...content,
        entities: content.entities?.length ? content.entities : undefined,
        caption_entities: content.caption_entities?.length ? content.caption_entities : undefined,
        reply_to_message: replied ? withoutNestedReply(replied) : undefined,
      }),
    } as Message;
    this.state.chats.store(message);
    if (!botReceives(this.state, message)) {
      this.changed();
      return { update_id: 0, message: structuredClone(message) } as Update;
    }
    return this.deliver({ message } as Omit<Update, 'update_id'>);
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

/** Telegram marks a leading `/command` (or `/command@bot`) with a bot_command entity. */
function commandEntity(text: string): MessageEntity[] | undefined {
  const command = /^\/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?/.exec(text);
  return command ? [{ type: 'bot_command', offset: 0, length: command[0].length }] : undefined;
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}
