import { Composer, InlineKeyboard } from 'grammy';
import { type BotContext, html } from '../context.ts';
import type { BotDeps } from '../deps.ts';
import { claimData } from '../render/card.ts';
import { deliveryDelayWarning } from '../render/delivery-delay.ts';
import { escapeHtml, ticketLabel } from '../render/html.ts';
import { truncate } from '../render/telegram-text.ts';

export const OPEN_QUEUE_BUTTON = '📋 Open queue';

/**
 * `/queue`: the unclaimed tickets, each with a Claim button, and the Mini App (when it has an https URL).
 * While deliveries back up it starts with a warning: cards and DMs are behind, the queue here is not.
 */
export function queueFeature({
  services,
  miniappUrl,
  deliveries,
}: Pick<BotDeps, 'services' | 'miniappUrl' | 'deliveries'>) {
  const feature = new Composer<BotContext>();

  feature.command('queue', async (ctx) => {
    const [queue, warning] = await Promise.all([
      services.desk.queue(),
      // The warning is extra: the queue itself is answered even if the backlog cannot be read.
      deliveries ? deliveries().then(deliveryDelayWarning, () => null) : null,
    ]);
    const header = warning ? `${escapeHtml(warning)}\n\n` : '';
    const keyboard = new InlineKeyboard();
    if (miniappUrl) keyboard.webApp(OPEN_QUEUE_BUTTON, miniappUrl).row();
    if (!queue.length) {
      await ctx.reply(`${header}The queue is empty 🎉`, {
        ...html,
        ...(miniappUrl ? { reply_markup: keyboard } : {}),
      });
      return;
    }
    const lines = queue.map((entry) => {
      keyboard.text(`✅ Claim ${ticketLabel(entry)}`, claimData(entry.id)).row();
      const passes = entry.passes ? ` · passed ×${entry.passes}` : '';
      const priority = entry.priority === 'high' ? '🔴 ' : entry.priority === 'low' ? '⚪️ ' : '';
      return `${priority}<b>${escapeHtml(ticketLabel(entry))}</b>${passes}\n${escapeHtml(truncate(entry.preview, 120))}`;
    });
    await ctx.reply(`${header}🕓 Waiting for an agent (${queue.length}):\n\n${lines.join('\n\n')}`, {
      ...html,
      reply_markup: keyboard,
    });
  });

  return feature;
}
