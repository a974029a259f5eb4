/**
 * A fake Telegram Bot API: a real HTTP server on 127.0.0.1 that tests point the bot at
 * (`TELEGRAM_API_ROOT` / grammY's `client.apiRoot`). DESIGN.md §6.
 *
 *   const fake = await startFakeTelegram();
 *   const bot = new Bot(fake.token, { client: { apiRoot: fake.apiRoot } });
 *   const agent = fake.addUser({ id: 1001, first_name: 'Ann', username: 'ann' });
 *   fake.addGroup({ id: -100123, title: 'Support', botStatus: 'administrator' });
 *   fake.sendText({ from: agent.id, text: '/start' });          // an update for getUpdates/webhook
 *   const reply = await fake.waitFor(() => fake.sentTo(agent.id)[0]);
 *   fake.clickButton({ from: agent.id, chatId: -100123, messageId: 7, text: 'Claim' });
 *   await fake.close();
 *
 * Semantics worth knowing:
 * - `POST|GET ${apiRoot}/bot${token}/${method}` with JSON, urlencoded or multipart params (and the
 *   query string); method names are case-insensitive. Answers `{ ok, result }` or
 *   `{ ok: false, error_code, description, parameters? }` with that HTTP status. Wrong token → 401,
 *   unknown method → 404. Files download from `${apiRoot}/file/bot${token}/${file_path}`.
 * - Updates: getUpdates honours offset / limit / timeout (a real long poll) / allowed_updates (by
 *   default no chat_member or reactions, as Telegram); a second getUpdates ends a waiting one with
 *   409, and getUpdates while a webhook is set answers 409. With setWebhook, updates are POSTed one
 *   at a time in update_id order (secret in X-Telegram-Bot-Api-Secret-Token), retried after a
 *   non-2xx / connection error, recorded in `webhookDeliveries`; a JSON `{ method, ... }` answer is
 *   executed as a call (webhook reply).
 * - Chats must be registered (addUser / addGroup) or the API answers 400 "chat not found". Sending to
 *   a user who blocked the bot, never started it (`addUser({ startedBot: false })`), or to a group the
 *   bot is not in answers 403 like Telegram. Group privacy mode is on: a non-admin bot only receives
 *   commands, @mentions and replies to its messages (`setPrivacyMode(false)` or make it admin);
 *   forum_topic_created service messages reach every member bot; the implicit reply of topic messages (see
 *   below) counts as a reply, so such a bot sees messages in topics it opened (unverified against Telegram);
 *   injection helpers still store such messages but return them with update_id 0, undelivered.
 * - Message text/caption is stored as Telegram stores it: parse_mode HTML parsed strictly into
 *   text + entities (any unescaped `<`, `>`, `&` → 400 can't parse entities); Markdown modes are not
 *   validated. Message.reply_markup holds inline keyboards only; editMessageText without
 *   reply_markup removes the keyboard (as Telegram does). Web App buttons need https and private chats.
 * - Text and captions are limited as Telegram limits them: 1–4096 and 0–1024 UTF-16 code units after
 *   parsing (an escape like `&amp;` counts 1, an emoji like 😀 counts 2), else 400 "message is too long" /
 *   "message caption is too long".
 * - `fail()` answers 5xx, `refuse()` a chosen call with a 4xx and Telegram's description (e.g. 403
 *   "Forbidden: bot was blocked by the user"), `hang()` never answers and finally drops the connection;
 *   all act before any state change. `enforceLimits(true)` turns on 429s (1/s per private chat, 20/min per group,
 *   30/s overall) for sendMessage, sendPhoto, sendDocument, sendVoice, sendAudio, sendVideoNote, sendSticker,
 *   sendAnimation, sendLocation, edits, copyMessage, forwardMessage (also the default targets of faults).
 *
 * One thread per ticket (forum topics), with Telegram's rules. Sources: the Bot API docs (doc comments
 * of @grammyjs/types 5.0.0) and, for exact error texts and behaviour the docs leave open, the Bot API
 * server (tdlib/telegram-bot-api Client.cpp) and TDLib (ForumTopicManager.cpp, MessagesManager.cpp);
 * the Bot API lower-cases the first letter of TDLib's texts and keeps server codes like TOPIC_CLOSED.
 * - Topic mode in private chats (9.3/9.4) is off by default: `startFakeTelegram({ topicsInPrivateChats:
 *   true | { usersCanCreate } })` or `setBotTopics({ enabled, usersCanCreate = enabled })`; getMe reports
 *   has_topics_enabled / allows_users_to_create_topics. Forum supergroups: `addGroup({ isForum: true })`
 *   (Chat.is_forum). Administrator rights default to Telegram's promote dialog (all but can_promote_members
 *   and stories; can_manage_topics in forums only); change them with `addGroup({ botRights })`,
 *   `setBotRights(chatId, rights)` or `setChatMember(chatId, userId, 'administrator', rights)`.
 * - createForumTopic: private chat with topic mode on (and the usual 403s), or a forum supergroup where the
 *   bot is an administrator with can_manage_topics; else "the chat is not a forum" / "not enough rights to
 *   create a topic". The name is cleaned like TDLib's clean_name (whitespace runs → one space, trimmed) and
 *   cut to 128 code points (longer names are truncated, not refused); empty → "name must be non-empty".
 *   icon_color defaults to 0x6FB9F0; a colour outside the six listed is refused ("invalid icon color
 *   specified"; our choice, TDLib only range-checks). It posts a forum_topic_created message in the topic
 *   whose message_id is the thread id. editForumTopic: empty name keeps it, nothing to change → true,
 *   unchanged → TOPIC_NOT_MODIFIED, service message forum_topic_edited. closeForumTopic / reopenForumTopic:
 *   forum supergroups only (private chat → "the chat is not a supergroup forum"), TOPIC_NOT_MODIFIED when
 *   already so, service messages forum_topic_closed / _reopened. deleteForumTopic: both kinds of chat; the
 *   topic and all its messages are deleted. In supergroups edit/close/reopen need can_manage_topics and
 *   delete needs can_delete_messages unless the bot created the topic ("not enough rights to edit the topic"
 *   / "to close or open the topic" / "to delete the topic"). Unknown thread → TOPIC_ID_INVALID, thread ≤ 0 →
 *   "invalid forum topic identifier specified". `fake.topics(chatId)` / `fake.topic(chatId, threadId)`.
 * - message_thread_id on every send (sendMessage, media, sendLocation, sendChatAction, copyMessage,
 *   forwardMessage): ignored in supergroups that are not forums; otherwise it must name an existing topic
 *   ("message thread not found", also for the General topic 1 and for private chats without topic mode).
 *   Messages in a topic carry message_thread_id and is_topic_message: true. In forum supergroups a topic
 *   message that replies to nothing has the topic's forum_topic_created message as reply_to_message (the Bot
 *   API's implicit reply; not in private chats). A reply without message_thread_id lands in the replied
 *   message's topic; a reply into another topic becomes external_reply. A closed topic takes posts only from
 *   its creator and administrators with can_manage_topics (TDLib can_send_message_to_forum_topic), else
 *   TOPIC_CLOSED. `sentTo(chatId, { threadId })`, `messagesInThread(chatId, threadId)`,
 *   `chatActions(chatId, { threadId })` (sendChatAction is recorded; its thread is checked like a send's).
 * - Media: sendVoice / sendAudio / sendVideoNote / sendSticker / sendAnimation take multipart uploads,
 *   file_ids and URLs like sendPhoto (video notes not by URL, stickers by URL only as .webp: "wrong file
 *   identifier/HTTP URL specified"); video notes and stickers have no caption (ignored); animations also
 *   carry `document`. sendLocation: "latitude is empty" / "longitude is empty" / "invalid location specified".
 * - Users (each returns the update; update_id 0 = stored, not delivered): `sendText({ ..., threadId })`
 *   posts in a topic (or throws what the API would refuse), `sendVoice` / `sendVideoNote` / `sendAudio` /
 *   `sendSticker` / `sendAnimation` / `sendLocation` (files served by getFile and download: audio/ogg,
 *   video/mp4, audio/mpeg, image/webp, video/mp4), `createTopic` (a forum_topic_created from the user; in
 *   the bot chat only with usersCanCreate), `editText` → edited_message (same message_id, edit_date, the
 *   stored message changes), `react` → message_reaction (old_reaction / new_reaction of that user), delivered
 *   in private chats, in groups only while the bot is an administrator, and by getUpdates/webhook only when
 *   allowed_updates lists message_reaction. `deleteByUser` deletes without any update (bots are not told).
 * - setMessageReaction: emoji from ReactionTypeEmoji's list only, else REACTION_INVALID (custom emoji too);
 *   at most one (REACTIONS_TOO_MANY: the server's code, the docs only say "up to one"); [] or no reaction
 *   removes the bot's; missing message → "message to react not found". `reactions(chatId, messageId)`,
 *   `botReactions(chatId, messageId)`.
 * - Editing: the bot edits its own messages at any age (TDLib: no edit time limit for a bot's outgoing
 *   messages; the docs' 48 h rule is for business messages), other people's → "message can't be edited".
 * - Deleting (deleteMessage / deleteMessages, the docs' list as TDLib applies it to bots): forum_topic_created
 *   messages never ("message can't be deleted"); private chats: outgoing and incoming, up to 48 h old, older
 *   → "message can't be deleted for everyone"; supergroups: under 48 h, own non-service messages, anyone's
 *   with can_delete_messages, else "message can't be deleted"; missing → "message to delete not found".
 *   deleteMessages skips missing ids and fails as a whole if one may not be deleted. `isDeleted(chatId, id)`;
 *   `ageMessage(chatId, messageId, hours)` moves a message's date into the past instead of waiting.
 * - Inline mode (inline-mode.ts): `setInlineMode(true)` (BotFather /setinline), `sendInlineQuery({ from, query })`,
 *   answerInlineQuery's rules (≤ 50 results, unique ids of 1–64 bytes, article message text 1–4,096, the query
 *   answered once within 10 s), `inlineAnswer(id)`, `chooseInlineResult({ query, resultId, chatId, threadId })`
 *   posts the result from the user with `via_bot`.
 */
import { FakeTelegram, type FakeTelegramOptions } from './fake-telegram.ts';

export type { AdminRights } from './admin-rights.ts';
export type { WaitForOptions } from './call-log.ts';
export type { NewGroup, NewUser } from './chat-store.ts';
export type { ChatActionRecord } from './fake-state.ts';
export {
  DEFAULT_TOKEN,
  FakeTelegram,
  type FakeTelegramOptions,
  type ForumTopicState,
  type MessageReactionState,
  type SentMessageCall,
  type ThreadFilter,
} from './fake-telegram.ts';
export type { FailOptions, FaultOptions, RefuseOptions } from './faults.ts';
export { TOPIC_ICON_COLORS } from './forum-topics.ts';
export {
  INLINE_QUERY_TIMEOUT_MS,
  type InlineAnswer,
  type InlineArticle,
  type InlineChoice,
  type InlineQueryInput,
} from './inline-mode.ts';
export type { RateLimits } from './rate-limiter.ts';
export { REACTION_EMOJI } from './reaction-emoji.ts';
export type { ApiCall, MemberStatus, Params, RecordedParams, WebhookDelivery } from './types.ts';
export type {
  ButtonClick,
  CallbackQueryInput,
  NewUserTopic,
  UserMediaOptions,
  UserMessageOptions,
} from './user-actions.ts';
export type { UserDeletion, UserEdit, UserReaction } from './user-changes.ts';

export function startFakeTelegram(options: FakeTelegramOptions = {}): Promise<FakeTelegram> {
  return FakeTelegram.start(options);
}
