import { defineEntity, p } from '@mikro-orm/core';

/**
 * Telegram updates: which were handled (a redelivered one is skipped), and, in polling mode, the
 * updates fetched but not handled yet. Long polling confirms an update to Telegram with the next
 * getUpdates, which goes out while the update is still being handled; the stored copy is what lets the
 * next start handle an update that a crash interrupted.
 */
export const ProcessedUpdateSchema = defineEntity({
  name: 'ProcessedUpdate',
  tableName: 'processed_telegram_updates',
  properties: {
    updateId: p.bigint('number').primary().autoincrement(false),
    receivedAt: p
      .datetime()
      .defaultRaw('now()')
      .onCreate(() => new Date()),
    /** The update as fetched (polling mode), kept until it is handled; null once handled. */
    payload: p.json<Record<string, unknown>>().nullable(),
    /** When it was handled; null while it waits. */
    processedAt: p.datetime().nullable(),
  },
});

export class ProcessedUpdate extends ProcessedUpdateSchema.class {}
ProcessedUpdateSchema.setClass(ProcessedUpdate);
