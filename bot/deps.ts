import type { Logger } from 'pino';
import type { MediaStore } from '../core/media-store.ts';
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
};
