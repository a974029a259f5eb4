import type { Logger } from 'pino';
import type { DeliveryStatus } from '../core/delivery-backlog.ts';
import type { MediaStore } from '../core/media-store.ts';
import type { OutboundJob } from '../core/outbox.ts';
import type { Services } from '../core/services.ts';
import type { Orm } from '../db/orm.ts';
import type { SupportGroup } from './storage/support-group.ts';

/** What the bot's features need; built once in the composition root. */
export type BotDeps = {
  token: string;
  apiRoot: string;
  /** Keep outgoing messages within Telegram's limits (off only for fakes without limits). */
  throttle: boolean;
  orm: Orm;
  services: Services;
  logger: Logger;
  supportGroup: SupportGroup;
  media: MediaStore;
  /** The Mini App's https URL, for the menu button and /queue; absent when MINIAPP_URL is not https. */
  miniappUrl?: string;
  /** MINIAPP_SHORT_NAME: the Mini App's direct-link name (t.me/<bot>/<name>); unset → the main Mini App. */
  miniappShortName?: string;
  /** Telegram deliveries still waiting, for /queue's warning when they back up. */
  deliveries?: () => Promise<DeliveryStatus>;
  /** Counters for /metrics; absent when metrics are off. */
  metrics?: BotMetrics;
};

/** What the bot reports to the metrics (implemented in server/metrics.ts, wired in app/switchboard.ts). */
export type BotMetrics = {
  /** Telegram answered a Bot API call with 429 Too Many Requests (counted per attempt). */
  telegramRateLimited(method: string): void;
  /** A delivery job ended: sent, refused for good by Telegram, or skipped (nothing to send: no support group, erased data). */
  delivered(type: OutboundJob['type'], outcome: 'sent' | 'refused' | 'skipped'): void;
};
