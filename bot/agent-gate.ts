import type { MiddlewareFn } from 'grammy';
import type { User } from 'grammy/types';
import { AGENT_NAME_MAX, type AgentProfile } from '../core/agent.service.ts';
import type { Agent } from '../db/entities/index.ts';
import type { AgentMembership } from './agent-membership.ts';
import type { BotContext } from './context.ts';
import type { BotDeps } from './deps.ts';

export const displayName = (user: User) => [user.first_name, user.last_name].filter(Boolean).join(' ');

const isCurrent = (agent: Agent, profile: AgentProfile) =>
  agent.name === profile.name.slice(0, AGENT_NAME_MAX) && agent.tgUsername === (profile.tgUsername ?? null);

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
    const profile = { tgChatId: user.id, name: displayName(user), tgUsername: user.username };
    // The agent read at the update's start, unless the name changed in Telegram (then it is written).
    const known = ctx.preloaded?.agent;
    ctx.agent = known && isCurrent(known, profile) ? known : await services.agents.upsert(profile);
    // "Last seen" for presence (at most one write a minute per agent).
    await services.presence.seen(ctx.agent.id);
    await next();
  };

  return { requireAgent };
}
