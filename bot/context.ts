import type { ConversationFlavor } from '@grammyjs/conversations';
import type { MenuFlavor } from '@grammyjs/menu';
import type { Context } from 'grammy';
import type { Logger } from 'pino';
import type { Agent } from '../db/entities/index.ts';

/** What the update's first statement read (bot/storage/update-start.ts), until its user takes it. */
export type Preloaded = { conversation?: unknown; agent?: Agent };

/**
 * The context of every update: a child logger, and the agent once `requireAgent` let the user in.
 * `recordedHandled`: the statement of the update's effect recorded it as handled too (an agent's reply),
 * so `handleOnce` has nothing left to write.
 */
export type BotContext = ConversationFlavor<
  Context & MenuFlavor & { log: Logger; agent?: Agent; preloaded?: Preloaded; recordedHandled?: boolean }
>;

/** Telegram text in this bot is HTML, always escaped (render/html.ts). */
export const html = { parse_mode: 'HTML' } as const;
