import { RequestContext } from '@mikro-orm/core';
import type { MiddlewareFn } from 'grammy';
import { DomainError } from '../core/errors.ts';
import type { BotContext } from './context.ts';
import type { BotDeps } from './deps.ts';
import { escapeHtml } from './render/html.ts';
import { createProcessedUpdates } from './storage/processed-updates.ts';

/** A child logger and a fresh entity manager (RequestContext) for every update. */
export function updateContext({ orm, logger }: Pick<BotDeps, 'orm' | 'logger'>): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    ctx.log = logger.child({ updateId: ctx.update.update_id });
    await RequestContext.create(orm.em, next);
  };
}

/** The same update_id delivered twice (webhook retry, redelivery) is handled once. */
export function handleOnce({ orm }: Pick<BotDeps, 'orm'>): MiddlewareFn<BotContext> {
  const processed = createProcessedUpdates(orm.em);
  return async (ctx, next) => {
    const updateId = ctx.update.update_id;
    if (!(await processed.claim(updateId))) {
      ctx.log.info('duplicate update skipped');
      return;
    }
    try {
      await next();
    } catch (error) {
      await processed.release(updateId);
      throw error;
    }
  };
}

/** The bot's error boundary for domain errors: the user gets the reason as a callback answer or a reply. */
export const domainErrorAnswers: MiddlewareFn<BotContext> = async (ctx, next) => {
  try {
    await next();
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    ctx.log.info({ code: error.code }, error.message);
    if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: error.message, show_alert: false });
    else await ctx.reply(escapeHtml(error.message), { parse_mode: 'HTML' });
  }
};
