import { type AdminRights, defaultAdminRights } from './admin-rights.ts';
import { badRequest, forbidden } from './api-error.ts';
import type { ForumTopicRecord } from './forum-topics.ts';
import type { Chat, MemberStatus, Message, ReactionType, User } from './types.ts';

export interface NewUser {
  id: number;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
  /** Whether the user has pressed Start in the bot's DMs (the bot cannot write first). Default true. */
  startedBot?: boolean;
}

export interface NewGroup {
  id: number;
  title: string;
  username?: string;
  /** The bot's membership; default 'member'. */
  botStatus?: MemberStatus;
  /** A forum supergroup (topics enabled): Chat.is_forum, createForumTopic, message_thread_id. */
  isForum?: boolean;
  /** The bot's rights when it is an administrator; default Telegram's promote dialog (see admin-rights.ts). */
  botRights?: Partial<AdminRights>;
}

interface UserRecord {
  user: User;
  startedBot: boolean;
  blockedBot: boolean;
}

export interface ChatRecord {
  chat: Chat;
  /** Last message id used in this chat (shared by bot and user messages). */
  lastMessageId: number;
  messages: Map<number, Message>;
  deleted: Set<number>;
  members: Map<number, MemberStatus>;
  /** Rights of the administrators that differ from the default ones, by user id. */
  rights: Map<number, Partial<AdminRights>>;
  /** Forum topics by message_thread_id (deleted topics are removed). */
  topics: Map<number, ForumTopicRecord>;
  /** Reactions per message: message_id → (user id, or the bot's id) → the reactions that user set. */
  reactions: Map<number, Map<number, ReactionType[]>>;
}

/** Users, chats, memberships and every message of every chat. */
export class ChatStore {
  readonly bot: User;
  private readonly users = new Map<number, UserRecord>();
  private readonly chats = new Map<number, ChatRecord>();

  constructor(bot: User) {
    this.bot = bot;
  }

  addUser(input: NewUser): User {
    if (!Number.isInteger(input.id) || input.id <= 0)
      throw new Error(`addUser: id must be a positive integer`);
    const user: User = { id: input.id, is_bot: false, first_name: input.first_name };
    if (input.last_name !== undefined) user.last_name = input.last_name;
    if (input.username !== undefined) user.username = input.username;
    if (input.language_code !== undefined) user.language_code = input.language_code;
    this.users.set(user.id, { user, startedBot: input.startedBot ?? true, blockedBot: false });
    const chat: Chat = { id: user.id, type: 'private', first_name: user.first_name };
    if (user.last_name !== undefined) chat.last_name = user.last_name;
    if (user.username !== undefined) chat.username = user.username;
    const existing = this.chats.get(user.id);
    if (existing) existing.chat = chat;
    else this.chats.set(user.id, newChatRecord(chat));
    return user;
  }

  addGroup(input: NewGroup): Chat {
    if (!Number.isInteger(input.id) || input.id >= 0)
      throw new Error(`addGroup: id must be a negative integer`);
    const chat: Chat = { id: input.id, type: 'supergroup', title: input.title };
    if (input.username !== undefined) chat.username = input.username;
    if (input.isForum) chat.is_forum = true;
    const existing = this.chats.get(input.id);
    if (existing) existing.chat = chat;
    else this.chats.set(input.id, newChatRecord(chat));
    this.setMember(input.id, this.bot.id, input.botStatus ?? 'member', input.botRights);
    return chat;
  }

  /** A registered user, for the injection helpers (a clear error for test typos). */
  user(id: number): User {
    if (id === this.bot.id) return this.bot;
    const record = this.users.get(id);
    if (!record)
      throw new Error(`fake Telegram: unknown user ${id}; call fake.addUser({ id: ${id}, ... }) first`);
    return record.user;
  }

  knownUser(id: number): User | undefined {
    return id === this.bot.id ? this.bot : this.users.get(id)?.user;
  }

  userRecord(id: number): UserRecord | undefined {
    return this.users.get(id);
  }

  /** A registered chat, for the injection helpers. */
  chat(id: number): ChatRecord {
    const record = this.chats.get(id);
    if (!record) {
      throw new Error(`fake Telegram: unknown chat ${id}; call fake.addUser or fake.addGroup first`);
    }
    return record;
  }

  findChat(id: number | string): ChatRecord | undefined {
    if (typeof id === 'number') return this.chats.get(id);
    const username = id.slice(1).toLowerCase();
    for (const record of this.chats.values()) {
      if (record.chat.type !== 'private' && record.chat.username?.toLowerCase() === username) return record;
    }
    return undefined;
  }

  /** The chat a Bot API method addresses: 400 when unknown. */
  apiChat(id: number | string): ChatRecord {
    const record = this.findChat(id);
    if (!record) throw badRequest('chat not found');
    return record;
  }

  /** The chat a sending method addresses, with Telegram's 403s for chats the bot cannot write to. */
  writableChat(id: number | string): ChatRecord {
    const record = this.apiChat(id);
    if (record.chat.type === 'private') {
      const user = this.users.get(record.chat.id);
      if (user?.blockedBot) throw forbidden('bot was blocked by the user');
      if (user && !user.startedBot) throw forbidden("bot can't initiate conversation with a user");
    } else {
      const status = this.memberStatus(record.chat.id, this.bot.id);
      if (status === 'kicked') throw forbidden(`bot was kicked from the ${record.chat.type} chat`);
      if (status === 'left') throw forbidden(`bot is not a member of the ${record.chat.type} chat`);
    }
    return record;
  }

  setBlocked(userId: number, blocked: boolean) {
    const record = this.users.get(userId);
    if (!record) throw new Error(`fake Telegram: unknown user ${userId}`);
    record.blockedBot = blocked;
  }

  markStarted(userId: number) {
    const record = this.users.get(userId);
    if (record) record.startedBot = true;
  }

  memberStatus(chatId: number, userId: number): MemberStatus {
    const record = this.chats.get(chatId);
    if (!record) return 'left';
    if (record.chat.type === 'private') {
      return userId === chatId || userId === this.bot.id ? 'member' : 'left';
    }
    return record.members.get(userId) ?? 'left';
  }

  setMember(chatId: number, userId: number, status: MemberStatus, rights?: Partial<AdminRights>) {
    const record = this.chat(chatId);
    record.members.set(userId, status);
    if (rights) record.rights.set(userId, { ...rights });
    else record.rights.delete(userId);
  }

  /**
   * A member's administrator rights in a group: all of them for the creator, the defaults with the
   * overrides for an administrator, undefined for everyone else (and in private chats).
   */
  adminRights(chatId: number, userId: number): AdminRights | undefined {
    const record = this.chats.get(chatId);
    if (!record || record.chat.type === 'private') return undefined;
    const status = this.memberStatus(chatId, userId);
    const defaults = defaultAdminRights(record.chat.is_forum === true);
    if (status === 'creator') {
      return Object.fromEntries(Object.keys(defaults).map((key) => [key, true])) as unknown as AdminRights;
    }
    if (status !== 'administrator') return undefined;
    return { ...defaults, ...record.rights.get(userId) };
  }

  nextMessageId(record: ChatRecord): number {
    record.lastMessageId += 1;
    return record.lastMessageId;
  }

  message(chatId: number, messageId: number): Message | undefined {
    const record = this.chats.get(chatId);
    if (!record || record.deleted.has(messageId)) return undefined;
    return record.messages.get(messageId);
  }

  store(message: Message) {
    const record = this.chat(message.chat.id);
    record.messages.set(message.message_id, message);
  }

  delete(chatId: number, messageId: number) {
    const record = this.chat(chatId);
    record.deleted.add(messageId);
    record.reactions.delete(messageId);
  }

  isDeleted(chatId: number, messageId: number): boolean {
    return this.chats.get(chatId)?.deleted.has(messageId) ?? false;
  }

  messages(chatId: number): Message[] {
    const record = this.chats.get(chatId);
    if (!record) return [];
    return [...record.messages.values()]
      .filter((message) => !record.deleted.has(message.message_id))
      .sort((a, b) => a.message_id - b.message_id);
  }
}

function newChatRecord(chat: Chat): ChatRecord {
  return {
    chat,
    lastMessageId: 0,
    messages: new Map(),
    deleted: new Set(),
    members: new Map(),
    rights: new Map(),
    topics: new Map(),
    reactions: new Map(),
  };
}
