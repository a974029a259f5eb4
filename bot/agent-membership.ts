import type { Api } from 'grammy';
import type { SupportGroup } from './storage/support-group.ts';

const MEMBER_STATUSES = new Set(['creator', 'administrator', 'member']);
const CACHE_MS = 5 * 60_000;

/** Whether a Telegram user may act as an agent: `no_group` until a support group is bound. */
export type AgentStatus = 'agent' | 'not_member' | 'no_group';

export type AgentMembership = ReturnType<typeof createAgentMembership>;

/**
 * Only members of the support group act as agents. Membership is asked of Telegram (getChatMember) and
 * cached for a few minutes, shared by the bot's gate and the Mini App's API. A failed lookup (network,
 * Telegram down) throws and is not remembered.
 */
export function createAgentMembership({
  api,
  supportGroup,
  cacheMs = CACHE_MS,
}: {
  api: Pick<Api, 'getChatMember'>;
  supportGroup: SupportGroup;
  cacheMs?: number;
}) {
  const cache = new Map<string, { member: boolean; admin: boolean; until: number }>();

  const lookUp = async (groupId: number, userId: number) => {
    // Keyed by group too: binding another group (/setup) must not reuse the old answers.
    const key = `${groupId}:${userId}`;
    const hit = cache.get(key);
    if (hit && hit.until > Date.now()) return hit;
    const status = await api.getChatMember(groupId, userId);
    const member = MEMBER_STATUSES.has(status.status) || (status.status === 'restricted' && status.is_member);
    const entry = {
      member,
      admin: status.status === 'creator' || status.status === 'administrator',
      until: Date.now() + cacheMs,
    };
    cache.set(key, entry);
    return entry;
  };
  const isMember = async (groupId: number, userId: number) => (await lookUp(groupId, userId)).member;

  return {
    async status(userId: number): Promise<AgentStatus> {
      const groupId = await supportGroup.chatId();
      if (!groupId) return 'no_group';
      return (await isMember(groupId, userId)) ? 'agent' : 'not_member';
    },

    /** An administrator (or the creator) of the support group: the team's admins (set anyone's skills). */
    async isAdmin(userId: number): Promise<boolean> {
      const groupId = await supportGroup.chatId();
      if (!groupId) return false;
      return (await lookUp(groupId, userId)).admin;
    },
  };
}
