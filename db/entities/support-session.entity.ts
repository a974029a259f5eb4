import { randomUUID } from 'node:crypto';
import { defineEntity, p } from '@mikro-orm/core';

export const SupportSessionSchema = defineEntity({
  name: 'SupportSession',
  tableName: 'support_sessions',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    createdAt: p
      .datetime()
      .defaultRaw('now()')
      .onCreate(() => new Date()),
    lastSeenAt: p
      .datetime()
      .defaultRaw('now()')
      .onCreate(() => new Date()),
    locale: p.string().length(35).nullable(),
    userAgent: p.text().nullable(),
    referer: p.text().nullable(),
    contactEmail: p.string().length(320).nullable(),
    contactPhone: p.string().length(40).nullable(),
  },
});

export class SupportSession extends SupportSessionSchema.class {}
SupportSessionSchema.setClass(SupportSession);
