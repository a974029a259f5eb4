import { Menu } from '@grammyjs/menu';
import { Composer } from 'grammy';
import type { BotContext } from '../context.ts';
import type { BotDeps } from '../deps.ts';
import { ticketLabel } from '../render/html.ts';
import { parseTicketId } from '../ticket-id.ts';
import { replyAboutTicket } from '../ticket-reply.ts';

/**
 * `/tickets`: the agent's open tickets with unread counts; a press makes one the active ticket (where
 * plain DM messages go). The menu's fingerprint is the list of tickets, so a stale menu is refreshed.
 */
export function switchFeature({ services }: Pick<BotDeps, 'services'>) {
  const agentId = (ctx: BotContext) => (ctx.agent as NonNullable<BotContext['agent']>).id;

  const switcher = new Menu<BotContext>('ticket-switcher', {
    fingerprint: async (ctx) => (await services.desk.agentTickets(agentId(ctx))).map((t) => t.id).join(','),
    onMenuOutdated: 'Your tickets changed — here is the current list.',
  }).dynamic(async (ctx, range) => {
    const tickets = await services.desk.agentTickets(agentId(ctx));
    if (!tickets.length) range.text('No open tickets — see /queue', (c) => c.answerCallbackQuery());
    for (const ticket of tickets) {
      const unread = ticket.unread ? ` (${ticket.unread} new)` : '';
      range
        .text(
          { text: `${ticket.active ? '▶ ' : ''}${ticketLabel(ticket)}${unread}`, payload: String(ticket.id) },
          async (c) => {
            // The payload comes back from Telegram: checked like any typed ticket id.
            const ticketId = parseTicketId(String(c.match ?? ''));
            if (!ticketId) return c.answerCallbackQuery({ text: 'This button is no longer active.' });
            await services.agents.setActiveTicket(agentId(c), ticketId);
            await c.menu.update();
            await replyAboutTicket(
              services,
              c,
              ticketId,
              `Now answering ${ticketLabel(ticket)}. Write here to reply.`,
            );
          },
        )
        .row();
    }
  });

  const feature = new Composer<BotContext>();
  feature.use(switcher);
  feature.command('tickets', (ctx) =>
    ctx.reply('Your open tickets — tap one to answer it:', { reply_markup: switcher }),
  );

  return { feature, switcher };
}
