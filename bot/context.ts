import type { ConversationFlavor } from '@grammyjs/conversations';
import type { MenuFlavor } from '@grammyjs/menu';
import type { Context } from 'grammy';
import type { Logger } from 'pino';
import type { Agent } from '../db/entities/index.ts';

/** The context of every update: a child logger, and the agent once `requireAgent` let the user in. */
export type BotContext = ConversationFlavor<Context & MenuFlavor & { log: Logger; agent?: Agent }>;

/** Telegram text in this bot is HTML, always escaped (render/html.ts). */
export const html = { parse_mode: 'HTML' } as const;
