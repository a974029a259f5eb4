import { badRequest } from './api-error.ts';
import type { ChatRecord } from './chat-store.ts';
import type { FakeState } from './fake-state.ts';
import type { Message } from './types.ts';

/** createForumTopic's icon_color: one of these (Bot API docs); 0x6FB9F0 when not given. */
export const TOPIC_ICON_COLORS = [0x6fb9f0, 0xffd67e, 0xcb86db, 0x8eee98, 0xff93b2, 0xfb6f5f];

/** TDLib's MAX_FORUM_TOPIC_TITLE_LENGTH ("server-side limit for forum topic title"), in code points. */
export const MAX_TOPIC_NAME_LENGTH = 128;

/** The General topic of a forum supergroup: messages without message_thread_id; not addressable. */
export const GENERAL_TOPIC_ID = 1;

/** A forum topic as the fake keeps it; `fake.topics(chatId)` returns copies. */
export interface ForumTopicRecord {
  /** The message_id of its forum_topic_created service message. */
  message_thread_id: number;
  name: string;
  icon_color: number;
  icon_custom_emoji_id?: string;
  is_closed: boolean;
  /** Who created it: the bot's id for createForumTopic, a user's id for `fake.createTopic`. */
  created_by: number;
}

/** Whether a chat can have topics: a forum supergroup, or a private chat when the bot has topic mode on. */
export function canHaveTopics(state: FakeState, record: ChatRecord): boolean {
  if (record.chat.type === 'private') return state.botTopics.enabled;
  return record.chat.is_forum === true;
}

/**
 * A topic name as TDLib's clean_name leaves it: runs of spaces and newlines become one space, the
 * ends are trimmed and the name is cut to 128 code points (longer names are truncated, not refused).
 */
export function cleanTopicName(raw: string): string {
  return [...raw.replace(/[ \n\u00a0]+/g, ' ').trim()].slice(0, MAX_TOPIC_NAME_LENGTH).join('').trim();
}

/** The topic a Bot API method names by `message_thread_id` for topic management (must exist). */
export function existingTopic(record: ChatRecord, threadId: number): ForumTopicRecord {
  const topic = record.topics.get(threadId);
  if (!topic) throw badRequest('message thread not found');
  return topic;
}

/**
 * The topic a sending method targets, as the Bot API resolves `message_thread_id`: ignored in
 * supergroups that are not forums; otherwise it must name an existing topic ("message thread not
 * found"; the General topic 1 cannot be named). In a closed topic of a supergroup only the topic's
 * creator and administrators with can_manage_topics may post, others get TOPIC_CLOSED.
 */
export function sendingTopic(
  state: FakeState,
  record: ChatRecord,
  threadId: number | undefined,
  senderId: number,
): ForumTopicRecord | undefined {
  if (threadId === undefined || threadId <= 0) return undefined;
  if (record.chat.type !== 'private' && record.chat.is_forum !== true) return undefined;
  const topic = canHaveTopics(state, record) ? record.topics.get(threadId) : undefined;
  if (!topic) throw badRequest('message thread not found');
  if (topic.is_closed && record.chat.type !== 'private' && topic.created_by !== senderId) {
    const rights = state.chats.adminRights(record.chat.id, senderId);
    if (!rights?.can_manage_topics) throw badRequest('TOPIC_CLOSED');
  }
  return topic;
}

/** The topic a stored message belongs to, if any. */
export function topicOf(record: ChatRecord, message: Message): ForumTopicRecord | undefined {
  return message.message_thread_id === undefined ? undefined : record.topics.get(message.message_thread_id);
}
