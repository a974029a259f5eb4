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
    /** The page the visitor is on (the host page's URL and title, kept current by the widget). */
    pageUrl: p.text().nullable(),
    pageTitle: p.text().nullable(),
    /** utm_source, utm_medium, … of the page the visitor landed on. */
    utm: p.json<Record<string, string>>().nullable(),
    /** The visitor's IANA time zone (e.g. Europe/Berlin). */
    timeZone: p.string().length(64).nullable(),
    /**
     * The host site's id for a visitor it identified (`Switchboard.identify`, verified with
     * IDENTITY_SECRET): at most one session per id, so the visitor keeps one history across devices.
     */
    externalId: p.string().length(255).nullable().unique(),
    visitorName: p.string().length(200).nullable(),
    visitorEmail: p.string().length(320).nullable(),
  },
  indexes: [
    // A visitor's earlier tickets (core/search.service.ts; migration 20261201140000): identities by email.
    {
      name: 'support_sessions_identity_email_index',
      expression: `create index "support_sessions_identity_email_index" on "support_sessions" (lower(visitor_email)) where external_id is not null`,
    },
  ],
});

export class SupportSession extends SupportSessionSchema.class {}
SupportSessionSchema.setClass(SupportSession);
