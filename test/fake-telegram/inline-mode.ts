import { badRequest } from './api-error.ts';
import type { FakeState } from './fake-state.ts';
import { formatText } from './message-text.ts';
import type { MethodTable } from './methods/method.ts';
import { optionalBoolean, optionalInteger, optionalJson, optionalString } from './param-readers.ts';
import type { Message, Update, User } from './types.ts';
import type { UserActions, UserMessageOptions } from './user-actions.ts';

/**
 * Inline mode (`@bot query` in any chat), as the Bot API documents it:
 * - it works only once BotFather's /setinline turned it on (`setInlineMode(true)`; getMe then reports
 *   supports_inline_queries: true); before, a user's client sends the bot no inline queries;
 * - an `inline_query` update names the user and the query (≤ 256 characters) and, optionally, the kind of
 *   chat it was typed in (`chat_type`) — never the chat, nor a topic;
 * - answerInlineQuery: the query id must be known, unanswered and younger than INLINE_QUERY_TIMEOUT_MS
 *   ("query is too old and response timeout expired or query ID is invalid"; also for a second answer, as for
 *   callback queries: our choice); `results` a JSON array of at most 50 (RESULTS_TOO_MUCH) results, each with
 *   a unique (RESULT_ID_DUPLICATE) id of 1–64 bytes (RESULT_ID_INVALID); `cache_time` ≥ 0; `next_offset` ≤ 64
 *   bytes. This fake knows `article` results only (others: "result type is not supported by this fake"); an
 *   article needs a non-empty title and input_message_content with message_text, held to sendMessage's
 *   rules (parse_mode, 1–4,096 characters after parsing);
 * - picking a result (`chooseInlineResult`) posts its message from the user in the chat (and topic) they
 *   are in, with `via_bot` the bot; the bot receives it like any message there (privacy mode lets messages
 *   sent via the bot through).
 */

export const INLINE_QUERY_TIMEOUT_MS = 10_000;
const MAX_RESULTS = 50;
const MAX_ID_BYTES = 64;
const MAX_QUERY_LENGTH = 256;
const EXPIRED = 'query is too old and response timeout expired or query ID is invalid';

export interface InlineQueryRecord {
  id: string;
  from: number;
  query: string;
  /** ms since epoch: when the query was sent. */
  at: number;
  answer?: InlineAnswer;
}

export interface InlineAnswer {
  results: InlineArticle[];
  cacheTime: number;
  isPersonal: boolean;
  nextOffset: string;
}

/** An article result as the fake stores it, with its message formatted as Telegram would store it. */
export interface InlineArticle {
  type: 'article';
  id: string;
  title: string;
  description?: string;
  message: { text: string; entities: Message['entities'] };
}

export interface InlineQueryInput {
  from: number;
  query: string;
  /** Where it is typed: 'sender' (the chat with the bot), 'private', 'group', 'supergroup' or 'channel'. */
  chatType?: 'sender' | 'private' | 'group' | 'supergroup' | 'channel';
}

export interface InlineChoice extends Omit<UserMessageOptions, 'from'> {
  /** The update of the inline query (or its id). */
  query: Update | string;
  /** The picked result's id. */
  resultId: string;
}

export const inlineMethods: MethodTable = {
  answerInlineQuery(params, { state }) {
    const id = optionalString(params, 'inline_query_id') ?? '';
    const query = state.inlineQueries.get(id);
    if (!query || query.answer || Date.now() - query.at > INLINE_QUERY_TIMEOUT_MS) throw badRequest(EXPIRED);
    const raw = optionalJson(params, 'results', "can't parse inline query results JSON object");
    if (!Array.isArray(raw)) throw badRequest("can't parse inline query results JSON object");
    if (raw.length > MAX_RESULTS) throw badRequest('RESULTS_TOO_MUCH');
    const seen = new Set<string>();
    const results = raw.map((result: unknown) => {
      const article = readArticle(result);
      if (seen.has(article.id)) throw badRequest('RESULT_ID_DUPLICATE');
      seen.add(article.id);
      return article;
    });
    const cacheTime = optionalInteger(params, 'cache_time') ?? 300;
    if (cacheTime < 0) throw badRequest('cache_time must be non-negative');
    const nextOffset = optionalString(params, 'next_offset') ?? '';
    if (Buffer.byteLength(nextOffset) > MAX_ID_BYTES) throw badRequest('next_offset is too long');
    query.answer = {
      results,
      cacheTime,
      isPersonal: optionalBoolean(params, 'is_personal') ?? false,
      nextOffset,
    };
    return true;
  },
};

function readArticle(value: unknown): InlineArticle {
  if (!value || typeof value !== 'object') throw badRequest("can't parse inline query result");
  const result = value as Record<string, unknown>;
  const id = result.id;
  if (typeof id !== 'string' || id.length === 0 || Buffer.byteLength(id) > MAX_ID_BYTES) {
    throw badRequest('RESULT_ID_INVALID');
  }
  if (result.type !== 'article')
    throw badRequest(`result type "${String(result.type)}" is not supported by this fake`);
  if (typeof result.title !== 'string' || result.title.trim() === '') {
    throw badRequest('can\'t parse inline query result: field "title" must be a non-empty string');
  }
  const content = result.input_message_content as Record<string, unknown> | undefined;
  if (!content || typeof content !== 'object' || !('message_text' in content)) {
    throw badRequest(
      'can\'t parse inline query result: field "input_message_content" must have "message_text"',
    );
  }
  const formatted = formatText(content.message_text, content.parse_mode, content.entities, 'text');
  return {
    type: 'article',
    id,
    title: result.title,
    description: typeof result.description === 'string' ? result.description : undefined,
    message: { text: formatted.text, entities: formatted.entities.length ? formatted.entities : undefined },
  };
}

/** What users do with inline mode: type a query, pick a result. */
export class InlineMode {
  private readonly state: FakeState;
  private readonly users: UserActions;
  private counter = 0;

  constructor(state: FakeState, users: UserActions) {
    this.state = state;
    this.users = users;
  }

  /** The user types `@bot query`: an inline_query update (no chat, no topic: only who and what). */
  sendInlineQuery({ from, query, chatType }: InlineQueryInput): Update {
    if (!this.state.inlineMode) {
      throw new Error(
        'fake Telegram: inline mode is off for this bot (BotFather /setinline: setInlineMode(true))',
      );
    }
    const user = this.state.chats.user(from) as User;
    if (query.length > MAX_QUERY_LENGTH)
      throw new Error(`fake Telegram: an inline query is at most ${MAX_QUERY_LENGTH} characters`);
    this.counter += 1;
    const id = String(9_100_000_000_000_000_000n + BigInt(this.counter));
    this.state.inlineQueries.set(id, { id, from: user.id, query, at: Date.now() });
    return this.users.inject({
      inline_query: { id, from: user, query, offset: '', ...(chatType ? { chat_type: chatType } : {}) },
    } as Omit<Update, 'update_id'>);
  }

  /** The answer the bot gave to a query (undefined before it answered). */
  answer(queryId: string): InlineAnswer | undefined {
    const answer = this.state.inlineQueries.get(queryId)?.answer;
    return answer && structuredClone(answer);
  }

  /**
   * The user picks result `resultId` of the bot's answer, in a chat (default their chat with the bot) and
   * topic: its message is posted from them, `via_bot` the bot. Only results the bot answered can be picked.
   */
  chooseInlineResult({ query, resultId, ...where }: InlineChoice): Update {
    const id = typeof query === 'string' ? query : (query.inline_query?.id ?? '');
    const record = this.state.inlineQueries.get(id);
    if (!record) throw new Error(`fake Telegram: no inline query ${id}`);
    if (!record.answer)
      throw new Error(`fake Telegram: the bot has not answered inline query ${id}: nothing to pick`);
    const result = record.answer.results.find((candidate) => candidate.id === resultId);
    if (!result) {
      const ids = record.answer.results.map((candidate) => candidate.id).join(', ') || 'none';
      throw new Error(`fake Telegram: inline query ${id} has no result "${resultId}" (results: ${ids})`);
    }
    return this.users.postAsUser(
      { ...where, from: record.from },
      {
        text: result.message.text,
        entities: result.message.entities,
        via_bot: structuredClone(this.state.bot),
      },
    );
  }

  /** Moves a query's time into the past (its answer then comes too late), instead of waiting. */
  ageInlineQuery(queryId: string, ms: number) {
    const record = this.state.inlineQueries.get(queryId);
    if (!record) throw new Error(`fake Telegram: no inline query ${queryId}`);
    record.at -= ms;
  }
}
