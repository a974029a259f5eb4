import { Composer, type MiddlewareFn } from 'grammy';
import type { TeamMember } from '../../core/presence.service.ts';
import type { PresenceState } from '../../db/entities/agent.entity.ts';
import { type BotContext, html } from '../context.ts';
import type { BotDeps } from '../deps.ts';
import { escapeHtml } from '../render/html.ts';
import { replyAboutTicket } from '../ticket-reply.ts';
import { type TicketRouting, ticketOfGroupMessage } from '../ticket-routing.ts';

const PRIORITIES = ['low', 'normal', 'high'] as const;
type Priority = (typeof PRIORITIES)[number];
const PRIORITY_LABEL: Record<Priority, string> = { high: '🔴 high', normal: 'normal', low: '⚪️ low' };
const STATE_LABEL: Record<PresenceState, string> = {
  online: '🟢 online',
  away: '🌙 away',
  offline: '⚫️ offline',
};

/** The answer to `/online`, `/away`, `/offline`: the state that counts now, and why if it differs. */
export function presenceReply(member: TeamMember): string {
  const lines = [`You are ${STATE_LABEL[member.state]}.`];
  if (member.workingHours?.length) {
    lines.push(
      member.reason === 'hours'
        ? 'Your working hours set this.'
        : 'This holds until your working hours next start or end.',
    );
  }
  if (member.state === 'online') lines.push('New tickets’ cards name you while you are online.');
  return escapeHtml(lines.join(' '));
}

/**
 * Presence and priority in Telegram (issue 13 §1, §3):
 * - `/online`, `/away`, `/offline` in the bot's chat set what the agent chose (answered with the state);
 * - `/priority high|normal|low` in a ticket's thread (its topic, a reply to one of its messages, or the
 *   active ticket; in the support group: the ticket's topic or a reply to its card) sets the priority.
 */
export function presenceFeature(
  { services }: Pick<BotDeps, 'services'>,
  ticketOf: TicketRouting,
  requireAgent: MiddlewareFn<BotContext>,
) {
  const feature = new Composer<BotContext>();
  const agentOf = (ctx: BotContext) => ctx.agent as NonNullable<BotContext['agent']>;

  const dm = feature.chatType('private');
  for (const state of ['online', 'away', 'offline'] as const) {
    dm.command(state, requireAgent, async (ctx) => {
      const member = await services.presence.setPresence(agentOf(ctx).id, state);
      await ctx.reply(presenceReply(member), html);
    });
  }

  const setPriority = async (ctx: BotContext, ticketId: number | null, argument: string, why?: string) => {
    const priority = argument.trim().toLowerCase() as Priority;
    if (!PRIORITIES.includes(priority)) {
      await ctx.reply('Send /priority high, /priority normal or /priority low in the ticket’s thread.');
      return;
    }
    if (!ticketId) {
      await ctx.reply(
        escapeHtml(why ?? 'Which ticket? Send /priority in its topic or as a reply to its card.'),
        html,
      );
      return;
    }
    await services.priority.set(ticketId, priority);
    await replyAboutTicket(
      services,
      ctx,
      ticketId,
      `#${ticketId} is now ${PRIORITY_LABEL[priority]} priority.`,
    );
  };

  dm.command('priority', requireAgent, async (ctx) => {
    const routed = await ticketOf(ctx, agentOf(ctx).id);
    await setPriority(ctx, routed.ticketId, ctx.match, routed.ticketId === null ? routed.why : undefined);
  });

  const group = feature.chatType(['group', 'supergroup']);
  group.command('priority', requireAgent, async (ctx) => {
    const ticketId = await ticketOfGroupMessage(services, ctx);
    await setPriority(ctx, ticketId, ctx.match);
  });

  return feature;
}
