import { RequestContext } from '@mikro-orm/core';
import type { Services } from '../core/services.ts';
import type { Orm } from '../db/orm.ts';
import type { Logger } from './logger.ts';

/** How often the clock's changes to presence (working hours, inactivity) are looked for. */
const WATCH_INTERVAL_MS = 30_000;

/**
 * Presence changes that no request makes — a working day starting or ending, an agent going quiet — reach
 * the support group's unclaimed cards: every `intervalMs` the online team is compared with what the cards
 * last showed, and only the cards whose list of online agents (their category's skill) differs are
 * refreshed — an agent going quiet does not re-render every card, which would hold up the group's
 * delivery queue (core/presence.service.ts; safe on several instances).
 */
export function startPresenceWatch(deps: {
  orm: Orm;
  services: Services;
  logger: Logger;
  intervalMs?: number;
}) {
  let running: Promise<unknown> = Promise.resolve();
  const check = () => {
    running = running
      .then(() =>
        RequestContext.create(deps.orm.em, () => deps.services.presence.refreshCardsIfTeamChanged()),
      )
      .then((cards) => {
        if (cards) deps.logger.info({ cards }, 'presence changed: affected unclaimed cards refreshed');
      })
      .catch((error) => deps.logger.warn({ err: error }, 'presence watch failed; trying again later'));
    return running;
  };
  const timer = setInterval(() => void check(), deps.intervalMs ?? WATCH_INTERVAL_MS);
  timer.unref();
  return {
    checkNow: check,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
