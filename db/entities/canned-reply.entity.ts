import { defineEntity, p } from '@mikro-orm/core';
import { Agent } from './agent.entity.ts';

/**
 * A team-shared snippet (issue 13 §4): a title to find it by, the text (with placeholders such as
 * `{visitor_name}`, filled when it is used), and an optional ticket category it is meant for.
 */
export const CannedReplySchema = defineEntity({
  name: 'CannedReply',
  tableName: 'canned_replies',
  properties: {
    id: p.integer().primary().autoincrement(),
    title: p.string().length(100),
    body: p.text(),
    /** One of CATEGORIES, or null for every ticket. */
    category: p.string().length(100).nullable(),
    /** Who last saved it. */
    updatedBy: () => p.manyToOne(Agent).nullable().deleteRule('set null'),
    createdAt: p
      .datetime()
      .defaultRaw('now()')
      .onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .defaultRaw('now()')
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});

export class CannedReply extends CannedReplySchema.class {}
CannedReplySchema.setClass(CannedReply);
