import type { BotCommand, MenuButton } from 'grammy/types';
import { ChatStore } from './chat-store.ts';
import { FileStore } from './file-store.ts';
import type { InlineQueryRecord } from './inline-mode.ts';
import { LongPolls } from './long-poll.ts';
import type { User } from './types.ts';
import { UpdateQueue } from './update-queue.ts';
import { type WebhookOptions, WebhookSender } from './webhook-sender.ts';

export interface ChatActionRecord {
  chatId: number;
  /** The topic, when the action was sent with message_thread_id. */
  threadId?: number;
  action: string;
  /** ms since epoch. */
  at: number;
}

/** Everything the Bot API methods and the injection helpers read and change. */
export class FakeState {
  readonly token: string;
  readonly bot: User;
  readonly chats: ChatStore;
  readonly files = new FileStore();
  readonly updates = new UpdateQueue();
  readonly polls = new LongPolls();
  readonly webhook: WebhookSender;
  /** Callback query ids handed to the bot, and whether they were answered. */
  readonly callbackQueries = new Map<string, { answered: boolean }>();
  /** setMyCommands, keyed by `scopeKey`. */
  readonly commands = new Map<string, BotCommand[]>();
  /** setChatMenuButton, keyed by chat id or 'default'. */
  readonly menuButtons = new Map<number | 'default', MenuButton>();
  /** setMyDescription / setMyShortDescription / setMyName, keyed by `method|language_code`. */
  readonly profileTexts = new Map<string, string>();
  /** Telegram's group privacy mode (BotFather's default: on). */
  privacyMode = true;
  /** BotFather's topic mode for private chats (Bot API 9.3) and whether users may create topics (9.4). */
  botTopics = { enabled: false, usersCanCreate: false };
  /** BotFather's /setinline: the bot gets inline queries (off by default, as for a new bot). */
  inlineMode = false;
  /** Inline queries handed to the bot, by id (inline-mode.ts). */
  readonly inlineQueries = new Map<string, InlineQueryRecord>();
  /** Successful sendChatAction calls, in order. */
  readonly chatActions: ChatActionRecord[] = [];

  constructor(token: string, webhook: WebhookOptions, onWebhookAttempt: () => void) {
    this.token = token;
    const id = Number(/^(\d+):/.exec(token)?.[1]);
    if (!Number.isSafeInteger(id))
      throw new Error(`fake Telegram: token "${token}" must look like 123456:secret`);
    this.bot = { id, is_bot: true, first_name: 'Switchboard', username: 'switchboard_test_bot' };
    this.chats = new ChatStore(this.bot);
    this.webhook = new WebhookSender(this.updates, webhook, onWebhookAttempt);
  }
}

export function scopeKey(scope: unknown, languageCode: string | undefined): string {
  const value = scope && typeof scope === 'object' ? scope : { type: 'default' };
  const sorted = Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)));
  return `${JSON.stringify(sorted)}|${languageCode ?? ''}`;
}
