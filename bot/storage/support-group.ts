import { LockMode } from '@mikro-orm/core';
import { Setting } from '../../db/entities/index.ts';
import type { EntityManager } from '../../db/orm.ts';
import { currentSetupCode, newSetupCode, SETUP_CODE_KEY, setupCodeMatches } from './setup-code.ts';

const KEY = 'support_group_chat_id';
/**
 * How long a read of the bound group is reused (every agent update, Mini App request and group delivery
 * asks). A group bound or moved here is seen at once here, and at once on the other instances, which
 * hear `announceChange` and `forget`; this bound covers an announcement that never went out (the
 * instance died between its commit and the announcement).
 */
const CACHE_MS = 60_000;

export type SupportGroup = ReturnType<typeof createSupportGroup>;

/**
 * The support group: SUPPORT_GROUP_CHAT_ID when configured (then fixed), else the group bound with
 * `/setup CODE` (kept in settings, so every instance serves the same group). `announceChange` tells the
 * other instances, after a binding committed, to `forget` what they cached.
 */
export function createSupportGroup(
  em: EntityManager,
  configured: number | undefined,
  { announceChange = () => {} }: { announceChange?: () => void } = {},
) {
  let cached: { chatId: number | null; until: number } | undefined;
  /** Counts `forget`s: a read that began before one may be stale, so it is returned but not kept. */
  let forgotten = 0;
  return {
    /** True when SUPPORT_GROUP_CHAT_ID decides and /setup cannot move it. */
    fixed: configured !== undefined,

    async chatId(): Promise<number | null> {
      if (configured !== undefined) return configured;
      if (cached && Date.now() < cached.until) return cached.chatId;
      const readSince = forgotten;
      const setting = await em.fork().findOne(Setting, KEY, { disableIdentityMap: true });
      const chatId = setting ? Number(setting.value) : null;
      if (readSince === forgotten) cached = { chatId, until: Date.now() + CACHE_MS };
      return chatId;
    },

    /** The one-time code that binds or moves the group (`/setup CODE`); null when the group is fixed. */
    async setupCode(): Promise<string | null> {
      return configured !== undefined ? null : currentSetupCode(em);
    },

    /**
     * Binds `chatId` when `code` is the current setup code, which is used up in the same transaction
     * (of two groups racing with one code, one wins). Returns the next code (for a later move), or null
     * when the code is wrong or the group is fixed.
     */
    async bindWithCode(chatId: number, code: string): Promise<string | null> {
      if (configured !== undefined) return null;
      await currentSetupCode(em);
      const next = await em.fork().transactional(async (tx) => {
        const stored = await tx.findOneOrFail(Setting, SETUP_CODE_KEY, {
          lockMode: LockMode.PESSIMISTIC_WRITE,
        });
        if (!setupCodeMatches(code, stored.value)) return null;
        const nextCode = newSetupCode();
        stored.value = nextCode;
        await tx.upsert(Setting, { key: KEY, value: String(chatId), updatedAt: new Date() });
        return nextCode;
      });
      if (next) {
        cached = { chatId, until: Date.now() + CACHE_MS };
        announceChange();
      }
      return next;
    },

    /** Drops the cached binding: the next `chatId` reads it (another instance changed it). */
    forget() {
      cached = undefined;
      forgotten += 1;
    },
  };
}
