import { Setting } from '../../db/entities/index.ts';
import type { EntityManager } from '../../db/orm.ts';

const KEY = 'support_group_chat_id';

export type SupportGroup = ReturnType<typeof createSupportGroup>;

/**
 * The support group: SUPPORT_GROUP_CHAT_ID when configured (then fixed), else the group bound with
 * /setup (kept in settings). Cached in memory.
 */
export function createSupportGroup(em: EntityManager, configured: number | undefined) {
  let cached: number | null | undefined = configured;
  return {
    /** True when SUPPORT_GROUP_CHAT_ID decides and /setup cannot move it. */
    fixed: configured !== undefined,

    async chatId(): Promise<number | null> {
      if (cached === undefined) {
        const setting = await em.fork().findOne(Setting, KEY);
        cached = setting ? Number(setting.value) : null;
      }
      return cached;
    },

    async bind(chatId: number): Promise<void> {
      await em.fork().upsert(Setting, { key: KEY, value: String(chatId), updatedAt: new Date() });
      cached = chatId;
    },
  };
}
