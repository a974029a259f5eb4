import type { FakeState } from './fake-state.ts';
import { botReceives } from './privacy-mode.ts';
import { REACTION_EMOJI } from './reaction-emoji.ts';
import type { Message, ReactionTypeEmoji, Update } from './types.ts';
import { commandEntity, now } from './user-actions.ts';

export interface UserEdit {
  from: number;
  /** Default: the sender's private chat with the bot. */
  chatId?: number;
  messageId: number;
  /** The new text (or the new caption, for a media message). */
  text: string;
}

export interface UserReaction {
  from: number;
  /** Default: the user's private chat with the bot. */
  chatId?: number;
  messageId: number;
  /** The user's reactions after the change; [] takes them back. Emoji from Telegram's list only. */
  emoji: string | string[];
}

export interface UserDeletion {
  chatId: number;
  messageId: number;
}

/** What users do to messages that already exist: edit, react, delete. */
export class UserChanges {
  private readonly state: FakeState;
  private readonly changed: () => void;

  constructor(state: FakeState, changed: () => void) {
    this.state = state;
    this.changed = changed;
  }

  /** An `edited_message` update: same message_id, new text, edit_date set; the stored message changes. */
  editText({ from, chatId, messageId, text }: UserEdit): Update {
    const user = this.state.chats.user(from);
    const message = this.stored(chatId ?? from, messageId);
    if (message.from?.id !== user.id) {
      throw new Error(`fake Telegram: user ${from} cannot edit message ${messageId}: it is not theirs`);
    }
    const field =
      message.text !== undefined
        ? 'text'
        : message.caption !== undefined || hasMedia(message)
          ? 'caption'
          : undefined;
    if (!field) throw new Error(`fake Telegram: message ${messageId} has no text or caption to edit`);
    const edited = { ...message, [field]: text, edit_date: Math.max(now(), message.date + 1) } as Message;
    const entities = commandEntity(text);
    const entitiesField = field === 'text' ? 'entities' : 'caption_entities';
    if (entities) edited[entitiesField] = entities;
    else delete edited[entitiesField];
    this.state.chats.store(edited);
    if (!botReceives(this.state, edited)) {
      this.changed();
      return { update_id: 0, edited_message: structuredClone(edited) } as Update;
    }
    return this.deliver({ edited_message: edited } as Omit<Update, 'update_id'>);
  }

  /**
   * A `message_reaction` update (old and new reaction lists of this user). The bot gets it in
   * private chats, and in groups only as an administrator; getUpdates/webhooks deliver it only
   * when allowed_updates lists "message_reaction" (update-queue.ts).
   */
  react({ from, chatId, messageId, emoji }: UserReaction): Update {
    const user = this.state.chats.user(from);
    const record = this.state.chats.chat(chatId ?? from);
    this.stored(record.chat.id, messageId);
    const wanted = typeof emoji === 'string' ? [emoji] : emoji;
    for (const one of wanted) {
      if (!REACTION_EMOJI.has(one))
        throw new Error(`fake Telegram: "${one}" is not a reaction Telegram offers`);
    }
    const reactions = record.reactions.get(messageId) ?? new Map();
    const oldReaction = (reactions.get(user.id) ?? []) as ReactionTypeEmoji[];
    const newReaction = wanted.map((one) => ({ type: 'emoji', emoji: one }) as ReactionTypeEmoji);
    if (newReaction.length) reactions.set(user.id, newReaction);
    else reactions.delete(user.id);
    record.reactions.set(messageId, reactions);
    const update = {
      message_reaction: {
        chat: record.chat,
        message_id: messageId,
        user,
        date: now(),
        old_reaction: oldReaction,
        new_reaction: newReaction,
      },
    };
    const status = this.state.chats.memberStatus(record.chat.id, this.state.bot.id);
    const seen = record.chat.type === 'private' || status === 'administrator' || status === 'creator';
    if (!seen) {
      this.changed();
      return structuredClone({ update_id: 0, ...update }) as Update;
    }
    return this.deliver(update as Omit<Update, 'update_id'>);
  }

  /** A user deletes a message: it is gone from the chat, and the bot is not told (Telegram sends no update). */
  deleteMessage({ chatId, messageId }: UserDeletion) {
    this.stored(chatId, messageId);
    this.state.chats.delete(chatId, messageId);
    this.changed();
  }

  private stored(chatId: number, messageId: number): Message {
    const message = this.state.chats.message(chatId, messageId);
    if (!message) throw new Error(`fake Telegram: no message ${messageId} in chat ${chatId}`);
    return message;
  }

  private deliver(update: Omit<Update, 'update_id'>): Update {
    const pushed = this.state.updates.push(structuredClone(update));
    this.changed();
    return structuredClone(pushed);
  }
}

function hasMedia(message: Message): boolean {
  return ['photo', 'document', 'voice', 'audio', 'animation'].some((field) => field in message);
}
