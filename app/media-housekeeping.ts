import { RequestContext } from '@mikro-orm/core';
import type { MediaStore } from '../core/media-store.ts';
import type { Services } from '../core/services.ts';
import type { Orm } from '../db/orm.ts';
import type { Logger } from './logger.ts';

/** How often expired media and stale incoming files are looked for. */
const SWEEP_INTERVAL_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
/**
 * The least age of a file no message references before it is removed. A file joins its session just
 * before its message commits; that commit waits on the database (a connection, the ticket's row lock),
 * not on the HTTP request timeout, so the margin is minutes, not seconds.
 */
const MIN_ORPHAN_AGE_MS = 15 * 60 * 1000;
/** Files looked up per statement by the orphan sweep. */
const ORPHAN_BATCH = 200;

export type MediaHousekeeping = ReturnType<typeof startMediaHousekeeping>;

/**
 * Keeps the media store bounded: at start and then hourly, moves files left in `DATA_DIR/media` into a
 * shared store (`importLocalFiles`, MEDIA_STORE=postgres), removes the files of tickets closed more
 * than `retentionDays` ago (0: keep them forever), incoming files older than `staleIncomingMs` (left
 * by a process that stopped mid-upload), and files in session folders that no message references, once
 * older than `orphanAfterMs` (left by a process that stopped between moving a file into its session and
 * committing its message; they would also count against the session's quota). With
 * `conversationRetentionDays` (RETENTION_DAYS), it first erases whole conversations closed longer ago
 * (the erase service: rows and files). Harmless when several instances do it at once.
 */
export function startMediaHousekeeping(deps: {
  orm: Orm;
  services: Services;
  media: MediaStore;
  logger: Logger;
  retentionDays: number;
  /** RETENTION_DAYS: whole conversations closed longer ago are erased (0 or absent: kept). */
  conversationRetentionDays?: number;
  staleIncomingMs: number;
  /** Default: `staleIncomingMs`, and at least 15 minutes. */
  orphanAfterMs?: number;
}) {
  const orphanAfterMs = deps.orphanAfterMs ?? Math.max(deps.staleIncomingMs, MIN_ORPHAN_AGE_MS);
  let running: Promise<void> = Promise.resolve();

  /** Removes old files that no message references, a batch (one query) at a time. */
  const removeOrphans = async () => {
    let removed = 0;
    for await (const mediaUrls of deps.media.filesOlderThan(orphanAfterMs, ORPHAN_BATCH)) {
      const referenced = await RequestContext.create(deps.orm.em, () =>
        deps.services.mediaRetention.referencedMediaUrls(mediaUrls),
      );
      for (const mediaUrl of mediaUrls) {
        if (referenced.has(mediaUrl)) continue;
        await deps.media.discard(mediaUrl);
        removed++;
      }
    }
    return removed;
  };

  const sweep = async () => {
    // Whole conversations first (their files go with them), then what is left of the media.
    const conversationDays = deps.conversationRetentionDays ?? 0;
    const conversations =
      conversationDays > 0
        ? await RequestContext.create(deps.orm.em, () =>
            deps.services.visitorData.eraseConversationsClosedBefore(
              new Date(Date.now() - conversationDays * DAY_MS),
              (sessionId) => deps.media.removeSession(sessionId),
            ),
          )
        : 0;
    if (conversations) deps.logger.info({ conversations }, 'retention: closed conversations erased');
    // Files written to DATA_DIR/media before the switch to a shared store (or by an older instance).
    const imported = (await deps.media.importLocalFiles?.()) ?? 0;
    if (imported) deps.logger.info({ imported }, 'media: local files moved into the shared store');
    const staleFiles = await deps.media.removeStaleIncoming(deps.staleIncomingMs);
    const orphans = await removeOrphans();
    const expired =
      deps.retentionDays > 0
        ? await RequestContext.create(deps.orm.em, () =>
            deps.services.mediaRetention.removeMediaOfTicketsClosedBefore(
              new Date(Date.now() - deps.retentionDays * DAY_MS),
              (mediaUrl) => deps.media.discard(mediaUrl),
            ),
          )
        : 0;
    if (staleFiles || orphans || expired) {
      deps.logger.info({ staleFiles, orphans, expired }, 'media housekeeping');
    }
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
