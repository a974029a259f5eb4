import type { BotCommand, BotCommandScope, MenuButton } from 'grammy/types';
import type { AdminRights } from './admin-rights.ts';
import { ApiDispatcher } from './api-dispatcher.ts';
import { CallLog, type WaitForOptions } from './call-log.ts';
import type { NewGroup, NewUser } from './chat-store.ts';
import { type ChatActionRecord, FakeState, scopeKey } from './fake-state.ts';
import { type FailOptions, type FaultOptions, Faults, type RefuseOptions } from './faults.ts';
import type { ForumTopicRecord } from './forum-topics.ts';
import { type HttpListener, listenOnLoopback } from './http-listener.ts';
import { type InlineAnswer, type InlineChoice, InlineMode, type InlineQueryInput } from './inline-mode.ts';
import { RateLimiter, type RateLimits, TELEGRAM_LIMITS } from './rate-limiter.ts';
import { createRequestRouter } from './request-router.ts';
import type {
  ApiCall,
  Chat,
  MemberStatus,
  Message,
  ReactionTypeEmoji,
  RecordedParams,
  Update,
  User,
  WebhookDelivery,
} from './types.ts';
import type { UpdateInput } from './update-queue.ts';
import {
  type ButtonClick,
  type CallbackQueryInput,
  type NewUserTopic,
  UserActions,
  type UserMediaOptions,
  type UserMessageOptions,
} from './user-actions.ts';
import { UserChanges, type UserDeletion, type UserEdit, type UserReaction } from './user-changes.ts';

export interface FakeTelegramOptions {
  /** Default '123456:TEST-token-abcdefghijklmnopqrstuvwxyz'; the bot's id is the numeric prefix. */
  token?: string;
  /** Pause before re-POSTing an update the webhook did not accept. Default 200 ms. */
  webhookRetryDelayMs?: number;
  /** Attempts per update before the webhook gives up on it. Default 50. */
  webhookMaxAttempts?: number;
  /** Time limit of one webhook POST. Default 10 s. */
  webhookTimeoutMs?: number;
  /**
   * BotFather's topic mode for private chats (Bot API 9.3), off by default; `{ usersCanCreate:
   * false }` also stops users creating topics (9.4; default true). See `setBotTopics`.
   */
  topicsInPrivateChats?: boolean | { usersCanCreate?: boolean };
}

export type SentMessageCall = ApiCall & { result: Message };

/** Which of a chat's messages a query means: all (default) or those of one forum topic. */
export interface ThreadFilter {
  threadId?: number;
}

/** A forum topic's current state (`fake.topics`). */
export type ForumTopicState = ForumTopicRecord;

/** One user's (or the bot's) reactions on a message. */
export interface MessageReactionState {
  userId: number;
  reaction: ReactionTypeEmoji[];
}

export const DEFAULT_TOKEN = '123456:TEST-token-abcdefghijklmnopqrstuvwxyz';
const SENT_MESSAGE_METHODS = new Set([
  'sendMessage',
  'sendPhoto',
  'sendDocument',
  'sendVoice',
  'sendAudio',
  'sendVideoNote',
  'sendSticker',
  'sendAnimation',
  'sendLocation',
]);

/** A running fake Bot API server; see index.ts for the overview. */
export class FakeTelegram {
  readonly apiRoot: string;
  readonly token: string;
  readonly botUser: User;
  private readonly state: FakeState;
  private readonly log: CallLog;
  private readonly faults: Faults;
  private readonly limiter: RateLimiter;
  private readonly users: UserActions;
  private readonly inline: InlineMode;
  private readonly changes: UserChanges;
  private readonly listener: HttpListener;
  private readonly closing: AbortController;
  private closed: Promise<void> | undefined;

  static async start(options: FakeTelegramOptions = {}): Promise<FakeTelegram> {
    const log = new CallLog();
    const faults = new Faults();
    const limiter = new RateLimiter();
    const closing = new AbortController();
    let dispatcher: ApiDispatcher | undefined;
    const state = new FakeState(
      options.token ?? DEFAULT_TOKEN,
      {
        retryDelayMs: options.webhookRetryDelayMs ?? 200,
        maxAttempts: options.webhookMaxAttempts ?? 50,
        timeoutMs: options.webhookTimeoutMs ?? 10_000,
        onWebhookReply: async (method, params) => {
          await dispatcher?.call({
            method,
            params,
            uploads: new Map(),
            clientSignal: new AbortController().signal,
            viaWebhookReply: true,
          });
        },
      },
      () => log.changed(),
    );
    const topics = options.topicsInPrivateChats;
    if (topics) {
      state.botTopics = { enabled: true, usersCanCreate: topics === true || topics.usersCanCreate !== false };
    }
    dispatcher = new ApiDispatcher(state, faults, limiter, log, closing.signal);
    const listener = await listenOnLoopback(
      createRequestRouter({ state, dispatcher, faults, log, closing: closing.signal }),
    );
    return new FakeTelegram({ state, log, faults, limiter, listener, closing });
  }

  private constructor(parts: {
    state: FakeState;
    log: CallLog;
    faults: Faults;
    limiter: RateLimiter;
    listener: HttpListener;
    closing: AbortController;
  }) {
    this.state = parts.state;
    this.log = parts.log;
    this.faults = parts.faults;
    this.limiter = parts.limiter;
    this.listener = parts.listener;
    this.closing = parts.closing;
    this.users = new UserActions(this.state, () => this.log.changed());
    this.inline = new InlineMode(this.state, this.users);
    this.changes = new UserChanges(this.state, () => this.log.changed());
    this.apiRoot = `http://127.0.0.1:${this.listener.port}`;
    this.token = this.state.token;
    this.botUser = structuredClone(this.state.bot);
  }

  /** Stops the server: pending long polls, hung requests and webhook deliveries end at once. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      this.closing.abort();
      this.state.webhook.close();
      this.faults.clear();
      this.log.close();
      await this.listener.close();
    })();
    return this.closed;
  }

  // ── users, groups, membership ────────────────────────────────────────────────────────────────

  /** Registers a user; their private chat with the bot has the same id. */
  addUser(user: NewUser): User {
    return structuredClone(this.state.chats.addUser(user));
  }

  /** Registers a supergroup (negative id). The bot is a 'member' unless `botStatus` says otherwise. */
  addGroup(group: NewGroup): Chat {
    return structuredClone(this.state.chats.addGroup(group));
  }

  /**
   * Sets a user's (or the bot's, by `fake.botUser.id`) status in a group; an administrator's
   * `rights` override the defaults (all on but promoting members; can_manage_topics in forums).
   */
  setChatMember(chatId: number, userId: number, status: MemberStatus, rights?: Partial<AdminRights>) {
    this.state.chats.setMember(chatId, userId, status, rights);
  }

  /** Makes the bot an administrator of the group with these rights changed from the defaults. */
  setBotRights(chatId: number, rights: Partial<AdminRights>) {
    this.state.chats.setMember(chatId, this.state.bot.id, 'administrator', rights);
  }

  /** BotFather's topic mode in private chats; `usersCanCreate` defaults to `enabled`. */
  setBotTopics({ enabled, usersCanCreate = enabled }: { enabled: boolean; usersCanCreate?: boolean }) {
    this.state.botTopics = { enabled, usersCanCreate };
  }

  /** The user blocks (or unblocks) the bot: sends to them answer 403. */
  setBotBlocked(userId: number, blocked = true) {
    this.state.chats.setBlocked(userId, blocked);
  }

  /** Group privacy mode (default on): a non-admin bot sees only commands, mentions and replies. */
  setPrivacyMode(enabled: boolean) {
    this.state.privacyMode = enabled;
  }

  // ── what users do (each returns the update; update_id 0 = stored but not delivered) ──────────

  sendText(options: UserMessageOptions & { text: string }): Update {
    return this.users.sendText(options);
  }

  sendPhoto(options: UserMessageOptions & { bytes: Buffer; caption?: string }): Update {
    return this.users.sendPhoto(options);
  }

  sendDocument(
    options: UserMessageOptions & { bytes: Buffer; fileName: string; mimeType?: string; caption?: string },
  ): Update {
    return this.users.sendDocument(options);
  }

  /** A voice message (audio/ogg, file path voice/…oga) the bot can getFile and download. */
  sendVoice(options: UserMediaOptions): Update {
    return this.users.sendMedia('voice', options);
  }

  /** A video note (video/mp4, no caption). */
  sendVideoNote(options: UserMediaOptions): Update {
    return this.users.sendMedia('video_note', options);
  }

  /** A music file (audio/mpeg unless `fileName` says otherwise). */
  sendAudio(options: UserMediaOptions): Update {
    return this.users.sendMedia('audio', options);
  }

  /** A sticker (image/webp, is_animated/is_video false unless `stickerFormat` says so; no caption). */
  sendSticker(options: UserMediaOptions): Update {
    return this.users.sendMedia('sticker', options);
  }

  /** A GIF-like animation (video/mp4); the message also has `document`, as Telegram sends it. */
  sendAnimation(options: UserMediaOptions): Update {
    return this.users.sendMedia('animation', options);
  }

  sendLocation(options: UserMessageOptions & { latitude: number; longitude: number }): Update {
    return this.users.sendLocation(options);
  }

  /** A user opens a forum topic (a forum_topic_created message from them). */
  createTopic(topic: NewUserTopic): Update {
    return this.users.createTopic(topic);
  }

  /** The user edits their message: an `edited_message` update, and the stored message changes. */
  editText(edit: UserEdit): Update {
    return this.changes.editText(edit);
  }

  /** The user sets their reactions on a message: a `message_reaction` update (see index.ts). */
  react(reaction: UserReaction): Update {
    return this.changes.react(reaction);
  }

  /** A user deletes a message. Bots are not told: no update, the message is just gone. */
  deleteByUser(deletion: UserDeletion) {
    this.changes.deleteMessage(deletion);
  }

  /** Presses the inline button with this text on a stored message (a callback_query update). */
  clickButton(click: ButtonClick): Update {
    return this.users.clickButton(click);
  }

  /** A callback_query with arbitrary data (e.g. stale buttons). */
  sendCallbackQuery(query: CallbackQueryInput): Update {
    return this.users.sendCallbackQuery(query);
  }

  /** `by` adds the bot to a group: a my_chat_member update (status default 'member'). */
  botAddedToGroup({
    groupId,
    by,
    status = 'member',
  }: {
    groupId: number;
    by: number;
    status?: MemberStatus;
  }) {
    return this.users.botMembership({ groupId, by, status });
  }

  botRemovedFromGroup({
    groupId,
    by,
    status = 'left',
  }: {
    groupId: number;
    by: number;
    status?: 'left' | 'kicked';
  }) {
    return this.users.botMembership({ groupId, by, status });
  }

  // ── inline mode (inline-mode.ts) ────────────────────────────────────────────────────────────────

  /** BotFather's /setinline: on, the bot gets inline queries and getMe says supports_inline_queries. */
  setInlineMode(enabled: boolean) {
    this.state.inlineMode = enabled;
  }

  /** The user types `@bot query` somewhere: an inline_query update (who and what, no chat). */
  sendInlineQuery(query: InlineQueryInput): Update {
    return this.inline.sendInlineQuery(query);
  }

  /** The bot's answer to an inline query, once it answered. */
  inlineAnswer(queryId: string): InlineAnswer | undefined {
    return this.inline.answer(queryId);
  }

  /** The user picks a result: its message is posted from them in that chat / topic, `via_bot` the bot. */
  chooseInlineResult(choice: InlineChoice): Update {
    return this.inline.chooseInlineResult(choice);
  }

  /** Makes an inline query older by `ms` (an answer after INLINE_QUERY_TIMEOUT_MS is refused). */
  ageInlineQuery(queryId: string, ms: number) {
    this.inline.ageInlineQuery(queryId, ms);
  }

  /** Any other update, as is (update_id assigned unless given). */
  injectUpdate(update: UpdateInput): Update {
    return this.users.inject(update);
  }

  /** Delivers an earlier update again with the same update_id (next getUpdates, or the webhook). */
  redeliver(updateId: number): Update {
    return this.users.redeliver(updateId);
  }

  // ── chat state ────────────────────────────────────────────────────────────────────────────────

  /** Current (edited, not deleted) messages of a chat, sent and received, by message_id. */
  messages(chatId: number): Message[] {
    return structuredClone(this.state.chats.messages(chatId));
  }

  message(chatId: number, messageId: number): Message | undefined {
    const message = this.state.chats.message(chatId, messageId);
    return message && structuredClone(message);
  }

  lastMessage(chatId: number): Message | undefined {
    return this.messages(chatId).at(-1);
  }

  /** Current messages of one forum topic (its forum_topic_created message first). */
  messagesInThread(chatId: number, threadId: number): Message[] {
    return this.messages(chatId).filter((message) => message.message_thread_id === threadId);
  }

  /** Whether a message was deleted (by the bot, by deleteForumTopic or by `deleteByUser`). */
  isDeleted(chatId: number, messageId: number): boolean {
    return this.state.chats.isDeleted(chatId, messageId);
  }

  /** Moves a message's date `hours` into the past, as if it had been sent that long ago (48-hour rules). */
  ageMessage(chatId: number, messageId: number, hours: number) {
    const message = this.state.chats.message(chatId, messageId);
    if (!message) throw new Error(`fake Telegram: no message ${messageId} in chat ${chatId}`);
    this.state.chats.store({ ...message, date: message.date - Math.round(hours * 3600) });
  }

  /** The chat's forum topics that exist now, by message_thread_id. */
  topics(chatId: number): ForumTopicState[] {
    const record = this.state.chats.findChat(chatId);
    return [...(record?.topics.values() ?? [])]
      .sort((a, b) => a.message_thread_id - b.message_thread_id)
      .map((topic) => structuredClone(topic));
  }

  topic(chatId: number, threadId: number): ForumTopicState | undefined {
    return this.topics(chatId).find((topic) => topic.message_thread_id === threadId);
  }

  /** Everyone's current reactions on a message (the bot's under `fake.botUser.id`). */
  reactions(chatId: number, messageId: number): MessageReactionState[] {
    const byActor = this.state.chats.findChat(chatId)?.reactions.get(messageId);
    return [...(byActor?.entries() ?? [])].map(([userId, reaction]) => ({
      userId,
      reaction: structuredClone(reaction) as ReactionTypeEmoji[],
    }));
  }

  /** The reactions the bot set with setMessageReaction ([] when none). */
  botReactions(chatId: number, messageId: number): ReactionTypeEmoji[] {
    return (
      this.reactions(chatId, messageId).find((entry) => entry.userId === this.botUser.id)?.reaction ?? []
    );
  }

  /** Successful sendChatAction calls to this chat (optionally one topic), in order. */
  chatActions(chatId: number, { threadId }: ThreadFilter = {}): ChatActionRecord[] {
    return this.state.chatActions
      .filter(
        (action) => action.chatId === chatId && (threadId === undefined || action.threadId === threadId),
      )
      .map((action) => ({ ...action }));
  }

  fileBytes(fileId: string): Buffer | undefined {
    return this.state.files.get(fileId)?.bytes;
  }

  /** What setMyCommands stored for this scope and language. */
  myCommands(options: { scope?: BotCommandScope; languageCode?: string } = {}): BotCommand[] | undefined {
    return structuredClone(this.state.commands.get(scopeKey(options.scope, options.languageCode)));
  }

  /** What setChatMenuButton stored for a chat (or the default one). */
  menuButton(chatId?: number): MenuButton | undefined {
    return structuredClone(this.state.menuButtons.get(chatId ?? 'default'));
  }

  webhookUrl(): string | undefined {
    return this.state.webhook.config?.url;
  }

  /** Whether a getUpdates long poll is waiting right now (the bot is polling). */
  isPolling(): boolean {
    return this.state.polls.waiting;
  }

  pendingUpdateCount(): number {
    return this.state.updates.pendingCount;
  }

  // ── the record ────────────────────────────────────────────────────────────────────────────────

  /** Every API request in order of completion (`at` is its arrival). */
  get calls(): ApiCall[] {
    return this.log.calls;
  }

  /** Every webhook POST attempt. */
  get webhookDeliveries(): WebhookDelivery[] {
    return this.state.webhook.deliveries;
  }

  callsOf(method: string): ApiCall[] {
    const name = method.toLowerCase();
    return this.log.calls.filter((call) => call.method.toLowerCase() === name);
  }

  /**
   * The messages the bot sent to this chat (successful sendMessage / sendPhoto / sendDocument /
   * sendVoice / sendAudio / sendVideoNote / sendSticker / sendAnimation / sendLocation), in order,
   * as returned at sending time (`messages()` has their current, edited state); with `threadId`
   * only those sent into that forum topic.
   */
  sentTo(chatId: number, filter: ThreadFilter = {}): Message[] {
    return this.sentCalls(chatId, filter).map((call) => structuredClone(call.result));
  }

  /** The calls behind `sentTo`, with their params (parse_mode, the raw HTML text, …). */
  sentCalls(chatId: number, { threadId }: ThreadFilter = {}): SentMessageCall[] {
    return this.log.calls.filter(
      (call): call is SentMessageCall =>
        call.ok &&
        SENT_MESSAGE_METHODS.has(call.method) &&
        (call.result as Message).chat.id === chatId &&
        (threadId === undefined || (call.result as Message).message_thread_id === threadId),
    );
  }

  /** Params of the successful answerCallbackQuery calls. */
  callbackAnswers(): RecordedParams[] {
    return this.callsOf('answerCallbackQuery')
      .filter((call) => call.ok)
      .map((call) => call.params);
  }

  /** Resolves with the predicate's value once truthy (re-checked on every call and injection). */
  waitFor<T>(
    predicate: () => T | undefined | null | false | Promise<T | undefined | null | false>,
    options?: WaitForOptions,
  ): Promise<T> {
    return this.log.waitFor(predicate, options);
  }

  // ── limits and faults ─────────────────────────────────────────────────────────────────────────

  /** Telegram's flood limits for sending methods (off by default): 429 with retry_after. */
  enforceLimits(limits: boolean | Partial<RateLimits>) {
    this.limiter.limits =
      limits === false ? undefined : { ...TELEGRAM_LIMITS, ...(limits === true ? {} : limits) };
  }

  rateLimitedCount(): number {
    return this.limiter.rejected;
  }

  /** Matching calls answer 5xx (default 502, sending methods) without changing anything. */
  fail(options: FailOptions = {}) {
    this.faults.fail(options);
  }

  /**
   * Matching calls are refused for good with a 4xx and Telegram's description (e.g. 400 "Bad Request:
   * message text is empty", 403 "Forbidden: bot was blocked by the user"), nothing applied. As with
   * every fault, `when` can pick the calls by their params.
   */
  refuse(options: RefuseOptions) {
    this.faults.refuse(options);
  }

  /** Matching calls get no answer; when the fault ends the connection is dropped, nothing applied. */
  hang(options: FaultOptions = {}) {
    this.faults.hang(options);
  }

  /** Ends all faults; hung requests are dropped. */
  clearFaults() {
    this.faults.clear();
  }
}
