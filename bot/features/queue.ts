import { Composer, InlineKeyboard } from 'grammy';
import { type BotContext, html } from '../context.ts';
import type { BotDeps } from '../deps.ts';
import { claimData } from '../render/card.ts';
import { escapeHtml, ticketLabel, truncate } from '../render/html.ts';

/** `/queue`: the unclaimed tickets, each with a Claim button. */
export function queueFeature({ services }: Pick<BotDeps, 'services'>) {
  const feature = new Composer<BotContext>();

  feature.command('queue', async (ctx) => {
    const queue = await services.desk.queue();
    if (!queue.length) {
      await ctx.reply('The queue is empty 🎉');
      return;
    }
    const keyboard = new InlineKeyboard();
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
