import { badRequest } from '../api-error.ts';
import type { ChatRecord } from '../chat-store.ts';
import type { FakeState } from '../fake-state.ts';
import { canHaveTopics, cleanTopicName, type ForumTopicRecord, TOPIC_ICON_COLORS } from '../forum-topics.ts';
import { chatIdParam, optionalInteger, optionalString } from '../param-readers.ts';
import type { ForumTopic, Message, Params } from '../types.ts';
import type { MethodTable } from './method.ts';
import { storeBotMessage } from './outgoing-message.ts';

/**
 * Forum topics in forum supergroups and in private chats with the bot (topic mode on). Error texts
 * are TDLib's (ForumTopicManager.cpp) as the Bot API words them, or the server's for what TDLib
 * leaves to it (TOPIC_ID_INVALID, TOPIC_NOT_MODIFIED).
 */
export const topicMethods: MethodTable = {
  createForumTopic(params, { state }) {
    const record = state.chats.writableChat(chatIdParam(params));
    if (!canHaveTopics(state, record)) throw badRequest('the chat is not a forum');
    if (record.chat.type !== 'private' && !botRights(state, record)?.can_manage_topics) {
      throw badRequest('not enough rights to create a topic');
    }
    const name = cleanTopicName(optionalString(params, 'name') ?? '');
    if (name === '') throw badRequest('name must be non-empty');
    const color = optionalInteger(params, 'icon_color') || TOPIC_ICON_COLORS[0];
    if (!TOPIC_ICON_COLORS.includes(color as number)) throw badRequest('invalid icon color specified');
    const emoji = optionalString(params, 'icon_custom_emoji_id') || undefined;
    const topic: ForumTopicRecord = {
      message_thread_id: record.lastMessageId + 1,
      name,
      icon_color: color as number,
      ...(emoji ? { icon_custom_emoji_id: emoji } : {}),
      is_closed: false,
      created_by: state.bot.id,
    };
    record.topics.set(topic.message_thread_id, topic);
    postServiceMessage(state, record, topic, {
      forum_topic_created: {
        name,
        icon_color: topic.icon_color,
        ...(emoji ? { icon_custom_emoji_id: emoji } : {}),
      },
    });
    return forumTopic(topic);
  },

  editForumTopic(params, { state }) {
    const { record, topic } = managedTopic(state, params, { privateChats: true });
    if (!mayManage(state, record, topic, 'can_manage_topics')) {
      throw badRequest('not enough rights to edit the topic');
    }
    const raw = optionalString(params, 'name') ?? '';
    const name = cleanTopicName(raw);
    if (raw !== '' && name === '') throw badRequest('name must be non-empty');
    const emoji =
      params.icon_custom_emoji_id === undefined
        ? undefined
        : (optionalString(params, 'icon_custom_emoji_id') ?? '');
    if (raw === '' && emoji === undefined) return true;
    const nameChanges = raw !== '' && name !== topic.name;
    const emojiChanges = emoji !== undefined && emoji !== (topic.icon_custom_emoji_id ?? '');
    if (!nameChanges && !emojiChanges) throw badRequest('TOPIC_NOT_MODIFIED');
    if (nameChanges) topic.name = name;
    if (emojiChanges) {
      if (emoji) topic.icon_custom_emoji_id = emoji;
      else delete topic.icon_custom_emoji_id;
    }
    postServiceMessage(state, record, topic, {
      forum_topic_edited: {
        ...(nameChanges ? { name } : {}),
        ...(emojiChanges ? { icon_custom_emoji_id: emoji } : {}),
      },
    });
    return true;
  },

  closeForumTopic(params, context) {
    return toggleClosed(params, context.state, true);
  },

  reopenForumTopic(params, context) {
    return toggleClosed(params, context.state, false);
  },

  deleteForumTopic(params, { state }) {
    const { record, topic } = managedTopic(state, params, { privateChats: true });
    if (!mayManage(state, record, topic, 'can_delete_messages')) {
      throw badRequest('not enough rights to delete the topic');
    }
    for (const message of state.chats.messages(record.chat.id)) {
      if (message.message_thread_id === topic.message_thread_id) {
        state.chats.delete(record.chat.id, message.message_id);
      }
    }
    record.topics.delete(topic.message_thread_id);
    return true;
  },
};

function toggleClosed(params: Params, state: FakeState, closed: boolean) {
  const { record, topic } = managedTopic(state, params, { privateChats: false });
  if (!mayManage(state, record, topic, 'can_manage_topics')) {
    throw badRequest('not enough rights to close or open the topic');
  }
  if (topic.is_closed === closed) throw badRequest('TOPIC_NOT_MODIFIED');
  topic.is_closed = closed;
  postServiceMessage(
    state,
    record,
    topic,
    closed ? { forum_topic_closed: {} } : { forum_topic_reopened: {} },
  );
  return true;
}

/**
 * The chat and topic a management method addresses. Private chats count as forums only for
 * edit/delete: close and reopen are for forum supergroups ("the chat is not a supergroup forum").
 */
function managedTopic(
  state: FakeState,
  params: Params,
  { privateChats }: { privateChats: boolean },
): { record: ChatRecord; topic: ForumTopicRecord } {
  const record = state.chats.writableChat(chatIdParam(params));
  if (!canHaveTopics(state, record)) throw badRequest('the chat is not a forum');
  if (record.chat.type === 'private' && !privateChats) throw badRequest('the chat is not a supergroup forum');
  const threadId = optionalInteger(params, 'message_thread_id') ?? 0;
  if (threadId <= 0) throw badRequest('invalid forum topic identifier specified');
  const topic = record.topics.get(threadId);
  if (!topic) throw badRequest('TOPIC_ID_INVALID');
  return { record, topic };
}

/** In supergroups the bot needs the right, unless it created the topic; in private chats it may. */
function mayManage(
  state: FakeState,
  record: ChatRecord,
  topic: ForumTopicRecord,
  right: 'can_manage_topics' | 'can_delete_messages',
): boolean {
  if (record.chat.type === 'private' || topic.created_by === state.bot.id) return true;
  return botRights(state, record)?.[right] === true;
}

function botRights(state: FakeState, record: ChatRecord) {
  return state.chats.adminRights(record.chat.id, state.bot.id);
}

/** A service message from the bot inside the topic (the first one's message_id is the thread id). */
function postServiceMessage(
  state: FakeState,
  record: ChatRecord,
  topic: ForumTopicRecord,
  content: Partial<Message>,
) {
  storeBotMessage(state, record, {
    message_thread_id: topic.message_thread_id,
    is_topic_message: true,
    ...content,
  });
}

export function forumTopic(topic: ForumTopicRecord): ForumTopic {
  return {
    message_thread_id: topic.message_thread_id,
    name: topic.name,
    icon_color: topic.icon_color,
    ...(topic.icon_custom_emoji_id ? { icon_custom_emoji_id: topic.icon_custom_emoji_id } : {}),
  };
}
