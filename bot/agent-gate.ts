import type { MiddlewareFn } from 'grammy';
import type { User } from 'grammy/types';
import type { AgentMembership } from './agent-membership.ts';
import type { BotContext } from './context.ts';
import type { BotDeps } from './deps.ts';

export const displayName = (user: User) => [user.first_name, user.last_name].filter(Boolean).join(' ');

/**
 * Only members of the support group act as agents (agent-membership.ts: getChatMember, cached); a member
 * becomes `ctx.agent` (created on first contact).
 */
export function createAgentGate({
  services,
  membership,
}: Pick<BotDeps, 'services'> & { membership: AgentMembership }) {
  const refuse = async (ctx: BotContext, text: string) => {
    if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text, show_alert: true });
    else if (ctx.chat?.type === 'private') await ctx.reply(text);
  };

  const requireAgent: MiddlewareFn<BotContext> = async (ctx, next) => {
    const user = ctx.from;
    if (!user || user.is_bot) return;
    // A failed lookup (network, Telegram down) refuses this once.
    const status = await membership.status(user.id).catch(() => 'not_member' as const);
    if (status === 'no_group') {
      return refuse(
        ctx,
        'No support group yet: add me to your team’s group and send /setup there with the setup code ' +
          'from the Switchboard server’s log (as a group admin).',
      );
    }
    if (status !== 'agent') {
      return refuse(ctx, 'This bot is for the support team: only members of the support group can use it.');
    }
    ctx.agent = await services.agents.upsert({
      tgChatId: user.id,
      name: displayName(user),
      tgUsername: user.username,
    });
    // "Last seen" for presence (at most one write a minute per agent).
    await services.presence.seen(ctx.agent.id);
    await next();
  };

  return { requireAgent };
}
