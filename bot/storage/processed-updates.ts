import { ProcessedUpdate } from '../../db/entities/index.ts';
import type { EntityManager } from '../../db/orm.ts';

/** Remembers handled Telegram update ids, so a redelivered update is handled once. */
export function createProcessedUpdates(em: EntityManager) {
  return {
    /** Claims the update for handling; false when it was handled (or is being handled) already. */
    async claim(updateId: number): Promise<boolean> {
      const result = await em
        .createQueryBuilder(ProcessedUpdate)
        .insert({ updateId, processedAt: new Date() })
        .onConflict('updateId')
        .ignore()
        .execute('run');
      return result.affectedRows === 1;
    },

    /** Forgets ids older than a day: Telegram redelivers within hours, and may reuse ids after a week. */
    async prune(): Promise<void> {
      await em.nativeDelete(ProcessedUpdate, { processedAt: { $lt: new Date(Date.now() - 24 * 3600_000) } });
    },

    /** Handling failed (webhook mode: Telegram will redeliver): let the redelivery be handled. */
    async release(updateId: number): Promise<void> {
      await em.nativeDelete(ProcessedUpdate, { updateId });
    },
  };
}
