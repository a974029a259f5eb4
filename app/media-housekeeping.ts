import { RequestContext } from '@mikro-orm/core';
import type { MediaStore } from '../core/media-store.ts';
import type { Services } from '../core/services.ts';
import type { Orm } from '../db/orm.ts';
import type { Logger } from './logger.ts';

/** How often expired media and stale incoming files are looked for. */
const SWEEP_INTERVAL_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

export type MediaHousekeeping = ReturnType<typeof startMediaHousekeeping>;

/**
 * Keeps `DATA_DIR/media` bounded: at start and then hourly, removes the files of tickets closed more
 * than `retentionDays` ago (0: keep them forever) and incoming files older than `staleIncomingMs` (left
 * by a process that stopped mid-upload). Harmless when several instances do it at once.
 */
export function startMediaHousekeeping(deps: {
  orm: Orm;
  services: Services;
  media: MediaStore;
  logger: Logger;
  retentionDays: number;
  staleIncomingMs: number;
}) {
  let running: Promise<void> = Promise.resolve();

  const sweep = async () => {
    const staleFiles = await deps.media.removeStaleIncoming(deps.staleIncomingMs);
    const expired =
      deps.retentionDays > 0
        ? await RequestContext.create(deps.orm.em, () =>
            deps.services.mediaRetention.removeMediaOfTicketsClosedBefore(
              new Date(Date.now() - deps.retentionDays * DAY_MS),
              (mediaUrl) => deps.media.discard(mediaUrl),
            ),
          )
        : 0;
    if (staleFiles || expired) deps.logger.info({ staleFiles, expired }, 'media housekeeping');
  };
  /** One sweep after the one in progress (never two at once in this process). */
  const sweepNow = () => {
    running = running
      .then(sweep)
      .catch((error) => deps.logger.error({ err: error }, 'media housekeeping failed'));
    return running;
  };

  void sweepNow();
  const timer = setInterval(() => void sweepNow(), SWEEP_INTERVAL_MS);
  timer.unref();

  return {
    /** Runs a sweep now (and waits for it). */
    sweepNow,
    /** Stops the timer and waits for a sweep in progress. */
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
