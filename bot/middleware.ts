import { RequestContext } from '@mikro-orm/core';
import type { MiddlewareFn } from 'grammy';
import { DomainError } from '../core/errors.ts';
import type { BotContext } from './context.ts';
import type { BotDeps } from './deps.ts';
import { escapeHtml } from './render/html.ts';
import { conversationKey } from './storage/conversation-storage.ts';
import { createProcessedUpdates } from './storage/processed-updates.ts';
import { createUpdateStart } from './storage/update-start.ts';
import { isPermanentTelegramRefusal } from './telegram-errors.ts';
import { telegramOrigin } from './telegram-origin.ts';

/** A child logger and a fresh entity manager (RequestContext) for every update. */
export function updateContext({ orm, logger }: Pick<BotDeps, 'orm' | 'logger'>): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    ctx.log = logger.child({ updateId: ctx.update.update_id });
    await RequestContext.create(orm.em, next);
  };
}

/**
 * Each update is handled once, also when Telegram delivers it again (webhook retry, a restart while
 * polling). An update recorded as handled is skipped; any other is handled and recorded only after its
 * effects committed, so a crash in between cannot lose it. The crash can mean it is handled twice, which
 * its effects tolerate: each is idempotent by a natural key (an agent's message by its Telegram message
 * id; claim, pass and close change nothing the second time). Copies that arrive at the same time queue
 * behind each other in `sequentialize` (per user), installed before this. A failed update is not
 * recorded: the webhook answers 5xx and Telegram redelivers it; polling tries it again.
 */
export function handleOnce({ orm, services }: Pick<BotDeps, 'orm' | 'services'>): MiddlewareFn<BotContext> {
  const processed = createProcessedUpdates(orm.em);
  const start = createUpdateStart(orm.em);
  return async (ctx, next) => {
    const updateId = ctx.update.update_id;
    // With the check, what the update's handling reads first (its conversation state, its agent).
    const conversation = conversationKey(ctx);
    const read = await start(updateId, { conversationKey: conversation, userId: ctx.from?.id });
    if (read.handled) {
      ctx.log.info('duplicate update skipped');
      // An agent's message it stored is published again: the instance that handled it may have died
      // between its commit and its publish (Telegram then redelivers it). Streams send a message once.
      if (ctx.message) await services.messages.publishAgentMessageAgain(telegramOrigin(ctx.message));
      return;
    }
    ctx.preloaded = { agent: read.agent, ...(conversation ? { conversation: read.conversation } : {}) };
    await next();
    // An agent's reply records its update in the statement that stores it (core/agent-message-store.ts).
    if (!ctx.recordedHandled) await processed.markHandled(updateId);
  };
}

/**
 * A permanent Telegram refusal inside a handler (the bot may not write to a group, a user blocked it)
 * ends the update as handled, with a warning: redelivering it cannot succeed, and a webhook that answers
 * 5xx is retried by Telegram for hours while the updates after it wait. Transient failures (Telegram
 * 5xx, network, database) still fail the update.
 */
export const endUpdateOnTelegramRefusal: MiddlewareFn<BotContext> = async (ctx, next) => {
  try {
    await next();
  } catch (error) {
    if (!isPermanentTelegramRefusal(error)) throw error;
    ctx.log.warn(
      { err: error, method: error.method, chatId: ctx.chat?.id },
      `Telegram refused ${error.method} (${error.description}); the update is done`,
    );
  }
};

/**
 * The bot's error boundary for domain errors: the user gets the reason as a callback answer or a reply.
 * An inline query gets no results (it has no chat to reply in; answered, so that the client stops
 * waiting); any other update without a chat just ends. Either way the update is done: retrying it would
 * meet the same error.
 */
export const domainErrorAnswers: MiddlewareFn<BotContext> = async (ctx, next) => {
  try {
    await next();
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    ctx.log.info({ code: error.code }, error.message);
    if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: error.message, show_alert: false });
    else if (ctx.inlineQuery) await ctx.answerInlineQuery([], { cache_time: 0, is_personal: true });
    else if (ctx.chat) await ctx.reply(escapeHtml(error.message), { parse_mode: 'HTML' });
  }
};

/**
 * The last middleware: a button press nothing else answered (unknown or outdated callback data, e.g.
 * a prompt that already ended) is answered, so that the button does not spin until Telegram gives up.
 */
export const answerUnknownCallbacks: MiddlewareFn<BotContext> = async (ctx) => {
  if (ctx.callbackQuery) {
    await ctx.answerCallbackQuery({ text: 'This button is no longer active.', show_alert: false });
  }
};
