import { Composer, InlineKeyboard } from 'grammy';
import { type BotContext, html } from '../context.ts';
import type { BotDeps } from '../deps.ts';
import { claimData } from '../render/card.ts';
import { escapeHtml, ticketLabel, truncate } from '../render/html.ts';

export const OPEN_QUEUE_BUTTON = '📋 Open queue';

/** `/queue`: the unclaimed tickets, each with a Claim button, and the Mini App (when it has an https URL). */
export function queueFeature({ services, miniappUrl }: Pick<BotDeps, 'services' | 'miniappUrl'>) {
  const feature = new Composer<BotContext>();

  feature.command('queue', async (ctx) => {
    const queue = await services.desk.queue();
    const keyboard = new InlineKeyboard();
    if (miniappUrl) keyboard.webApp(OPEN_QUEUE_BUTTON, miniappUrl).row();
    if (!queue.length) {
      await ctx.reply('The queue is empty 🎉', miniappUrl ? { reply_markup: keyboard } : {});
      return;
    }
    const lines = queue.map((entry) => {
      keyboard.text(`✅ Claim ${ticketLabel(entry)}`, claimData(entry.id)).row();
      const passes = entry.passes ? ` · passed ×${entry.passes}` : '';
      return `<b>${escapeHtml(ticketLabel(entry))}</b>${passes}\n${escapeHtml(truncate(entry.preview, 120))}`;
    });
    await ctx.reply(`🕓 Waiting for an agent (${queue.length}):\n\n${lines.join('\n\n')}`, {
      ...html,
      reply_markup: keyboard,
    });
  });

  return feature;
}
