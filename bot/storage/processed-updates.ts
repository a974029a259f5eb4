import type { Update } from 'grammy/types';
import { ProcessedUpdate } from '../../db/entities/index.ts';
import type { EntityManager } from '../../db/orm.ts';

/** How long handled ids are remembered: Telegram redelivers within hours, and may reuse ids after a week. */
const KEEP_MS = 24 * 3600_000;

/**
 * Which Telegram updates were handled, so that a redelivered one is skipped (the check is part of the
 * update's first read, update-start.ts); in polling mode also the updates fetched but not handled yet
 * (see the entity).
 */
export function createProcessedUpdates(em: EntityManager) {
  return {
    /** Records the update as handled (after its effects committed); its stored copy is no longer needed. */
    async markHandled(updateId: number): Promise<void> {
      await em
        .createQueryBuilder(ProcessedUpdate)
        .insert({ updateId, receivedAt: new Date(), processedAt: new Date(), payload: null })
        .onConflict('updateId')
        .merge(['processedAt', 'payload'])
        .execute('run');
    },

    /** Polling: stores fetched updates before Telegram is told (by the next getUpdates) that they arrived. */
    async receive(updates: Update[]): Promise<void> {
      if (!updates.length) return;
      await em
        .createQueryBuilder(ProcessedUpdate)
        .insert(
          updates.map((update) => ({
            updateId: update.update_id,
            receivedAt: new Date(),
            payload: update as unknown as Record<string, unknown>,
            processedAt: null,
          })),
        )
        .onConflict('updateId')
        .ignore()
        .execute('run');
    },

    /** Polling: the stored updates not handled yet (a crash or a failure interrupted them), oldest first. */
    async unhandled(): Promise<Update[]> {
      const rows = await em.find(
        ProcessedUpdate,
        { processedAt: null, payload: { $ne: null } },
        { orderBy: { updateId: 'asc' }, disableIdentityMap: true },
      );
      return rows.map((row) => row.payload as unknown as Update);
    },

    /**
     * Forgets updates handled more than a day ago. Updates not handled yet are never forgotten here: they
     * wait for their handling (the next start, in polling mode). Returns how many of those were received
     * more than a day ago, for the operator's attention.
     */
    async prune(): Promise<{ staleUnhandled: number }> {
      const cutoff = new Date(Date.now() - KEEP_MS);
      await em.nativeDelete(ProcessedUpdate, { processedAt: { $ne: null, $lt: cutoff } });
      const staleUnhandled = await em.count(ProcessedUpdate, {
        processedAt: null,
        payload: { $ne: null },
        receivedAt: { $lt: cutoff },
      });
      return { staleUnhandled };
    },
  };
}

export type ProcessedUpdates = ReturnType<typeof createProcessedUpdates>;
