import { defineEntity, p } from '@mikro-orm/core';

/** Telegram update ids already handled: the same update delivered twice is handled once. */
export const ProcessedUpdateSchema = defineEntity({
  name: 'ProcessedUpdate',
  tableName: 'processed_telegram_updates',
  properties: {
    updateId: p.bigint('number').primary().autoincrement(false),
    processedAt: p
      .datetime()
      .defaultRaw('now()')
      .onCreate(() => new Date()),
  },
});

export class ProcessedUpdate extends ProcessedUpdateSchema.class {}
ProcessedUpdateSchema.setClass(ProcessedUpdate);
