import { badRequest } from '../api-error.ts';
import type { ChatRecord } from '../chat-store.ts';
import type { FakeState } from '../fake-state.ts';
import { chatIdParam, optionalJson, requiredInteger } from '../param-readers.ts';
import type { Message } from '../types.ts';
import type { MethodTable } from './method.ts';

/** Bots can't delete (or revoke) messages older than this (TDLib: 2 * 86400). */
export const DELETE_TIME_LIMIT_SECONDS = 48 * 3600;

export const deleteMethods: MethodTable = {
  deleteMessage(params, { state }) {
    const record = state.chats.apiChat(chatIdParam(params));
    const messageId = requiredInteger(params, 'message_id', 'message identifier is not specified');
    const message = state.chats.message(record.chat.id, messageId);
    if (!message) throw badRequest('message to delete not found');
    const refusal = deletionRefusal(state, record, message);
    if (refusal) throw badRequest(refusal);
    state.chats.delete(record.chat.id, messageId);
    return true;
  },

  /** Messages that are not found are skipped; one that can't be deleted fails the whole call. */
  deleteMessages(params, { state }) {
    const record = state.chats.apiChat(chatIdParam(params));
    const ids = messageIds(params.message_ids);
    const found = ids
      .map((id) => state.chats.message(record.chat.id, id))
      .filter((message): message is Message => message !== undefined);
    for (const message of found) {
      const refusal = deletionRefusal(state, record, message);
      if (refusal) throw badRequest(refusal);
    }
    for (const message of found) state.chats.delete(record.chat.id, message.message_id);
    return true;
  },
};

/**
 * Why the bot may not delete this message, in the Bot API's words; undefined when it may. The
 * Bot API docs' list, as TDLib applies it for bots (MessagesManager can_revoke_message /
 * can_delete_channel_message): at most 48 h old; forum_topic_created messages never; in private
 * chats both outgoing and incoming messages (an older one: "can't be deleted for everyone"); in
 * supergroups the bot's own non-service messages, or any message with can_delete_messages.
 */
export function deletionRefusal(state: FakeState, record: ChatRecord, message: Message): string | undefined {
  const age = Math.floor(Date.now() / 1000) - message.date;
  if (message.forum_topic_created) return "message can't be deleted";
  if (record.chat.type === 'private') {
    return age > DELETE_TIME_LIMIT_SECONDS ? "message can't be deleted for everyone" : undefined;
  }
  if (age >= DELETE_TIME_LIMIT_SECONDS) return "message can't be deleted";
  if (state.chats.adminRights(record.chat.id, state.bot.id)?.can_delete_messages) return undefined;
  if (message.from?.id !== state.bot.id || isServiceMessage(message)) return "message can't be deleted";
  return undefined;
}

function isServiceMessage(message: Message): boolean {
  return ['forum_topic_edited', 'forum_topic_closed', 'forum_topic_reopened', 'pinned_message'].some(
    (field) => field in message,
  );
}

function messageIds(value: unknown): number[] {
  const ids = optionalJson({ value }, 'value', "can't parse message_ids JSON object");
  if (ids === undefined) throw badRequest('message identifiers are not specified');
  if (!Array.isArray(ids)) throw badRequest('expected an Array of message identifiers');
  if (ids.length === 0) throw badRequest('message identifiers are not specified');
  if (ids.length > 100) throw badRequest('too many message identifiers specified');
  return ids.map((id) => {
    const number = typeof id === 'string' && /^-?\d+$/.test(id) ? Number(id) : id;
    if (typeof number !== 'number' || !Number.isInteger(number)) {
      throw badRequest('message identifier must be a Number');
    }
    if (number <= 0) throw badRequest('invalid message identifier specified');
    return number;
  });
}
