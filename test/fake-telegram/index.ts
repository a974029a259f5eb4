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
 *   30/s overall) for sendMessage, sendPhoto, sendDocument, edits, copyMessage, forwardMessage.
 */
import { FakeTelegram, type FakeTelegramOptions } from './fake-telegram.ts';

export type { WaitForOptions } from './call-log.ts';
export type { NewGroup, NewUser } from './chat-store.ts';
export {
  DEFAULT_TOKEN,
  FakeTelegram,
  type FakeTelegramOptions,
  type SentMessageCall,
} from './fake-telegram.ts';
export type { FailOptions, FaultOptions, RefuseOptions } from './faults.ts';
export type { RateLimits } from './rate-limiter.ts';
export type { ApiCall, MemberStatus, Params, RecordedParams, WebhookDelivery } from './types.ts';
export type { ButtonClick, CallbackQueryInput, UserMessageOptions } from './user-actions.ts';

export function startFakeTelegram(options: FakeTelegramOptions = {}): Promise<FakeTelegram> {
  return FakeTelegram.start(options);
}
