import type { MiddlewareFn } from 'grammy';
import type { User } from 'grammy/types';
import type { BotContext } from './context.ts';
import type { BotDeps } from './deps.ts';

const MEMBER_STATUSES = new Set(['creator', 'administrator', 'member']);
const CACHE_MS = 5 * 60_000;

export const displayName = (user: User) => [user.first_name, user.last_name].filter(Boolean).join(' ');

/**
 * Only members of the support group act as agents. Membership is asked of Telegram (getChatMember) and
 * cached for a few minutes; a member becomes `ctx.agent` (created on first contact).
 */
export function createAgentGate({ services, supportGroup }: Pick<BotDeps, 'services' | 'supportGroup'>) {
  const cache = new Map<number, { member: boolean; until: number }>();

  const isMember = async (ctx: BotContext, groupId: number, userId: number) => {
    const hit = cache.get(userId);
    if (hit && hit.until > Date.now()) return hit.member;
    // A failed lookup (network, Telegram down) refuses this once but is not remembered.
    const status = await ctx.api.getChatMember(groupId, userId).catch(() => null);
    if (!status) return false;
    const member = MEMBER_STATUSES.has(status.status) || (status.status === 'restricted' && status.is_member);
    cache.set(userId, { member, until: Date.now() + CACHE_MS });
    return member;
  };

  const refuse = async (ctx: BotContext, text: string) => {
    if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text, show_alert: true });
    else if (ctx.chat?.type === 'private') await ctx.reply(text);
  };

  const requireAgent: MiddlewareFn<BotContext> = async (ctx, next) => {
    const user = ctx.from;
    if (!user || user.is_bot) return;
    const groupId = await supportGroup.chatId();
    if (!groupId) {
      return refuse(
        ctx,
        'No support group yet: add me to your team’s group and send /setup there (as a group admin).',
      );
    }
    if (!(await isMember(ctx, groupId, user.id))) {
      return refuse(ctx, 'This bot is for the support team: only members of the support group can use it.');
    }
    ctx.agent = await services.agents.upsert({
      tgChatId: user.id,
      name: displayName(user),
      tgUsername: user.username,
    });
    await next();
  };

  return { requireAgent };
}
