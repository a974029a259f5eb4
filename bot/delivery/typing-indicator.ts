import { RequestContext } from '@mikro-orm/core';
import type { Api } from 'grammy';
import type { Logger } from 'pino';
import type { DomainEvent } from '../../core/event-bus.ts';
import type { Services } from '../../core/services.ts';
import type { TypingTurn } from '../../core/typing.service.ts';
import type { Orm } from '../../db/orm.ts';
import type { TicketThreadMode } from '../ticket-threads.ts';
import { inPlace, type TicketPlace, type TicketPlaces } from './ticket-places.ts';

/** Telegram shows "typing…" for about 5 s: one chat action per ticket this often keeps it up. */
export const TYPING_INTERVAL_MS = 4000;
/** Tickets remembered for the local throttle before the oldest are forgotten. */
const REMEMBERED_TICKETS = 10_000;

/**
 * The visitor's typing, shown in the ticket's place in Telegram as a `typing` chat action: its topic (the
 * agent's or the group's), or the agent's chat in single mode; an unclaimed ticket only in group topics
 * (its topic), else nowhere. Ephemeral, not a durable job: at most one per ticket every
 * TYPING_INTERVAL_MS, across instances (core's typing turn); failures are logged at debug and dropped.
 */
export function createTypingIndicator({
  api,
  orm,
  services,
  places,
  mode,
  logger,
  intervalMs = TYPING_INTERVAL_MS,
}: {
  api: Api;
  orm: Orm;
  services: Services;
  places: TicketPlaces;
  mode: TicketThreadMode;
  logger: Logger;
  intervalMs?: number;
}) {
  /** When this instance last tried each ticket: most events stop here without a query. */
  const lastTried = new Map<number, number>();

  const placeOf = async (turn: TypingTurn): Promise<TicketPlace | null> => {
    if (mode === 'group-topics') {
      const place = await places.placeFor(turn.ticketId, 'group', { create: false });
      return place.thread ? place : null;
    }
    if (!turn.agent) return null;
    const place = await places.placeFor(turn.ticketId, turn.agent, { create: false });
    return mode === 'private-topics' && !place.thread ? null : place;
  };

  const show = async (ticketId: number) => {
    // A little under the interval, so that jitter between instances does not skip a turn.
    const turn = await services.typing.takeTypingTurn(ticketId, intervalMs - 500);
    if (!turn) return;
    const place = await placeOf(turn);
    if (place) await api.sendChatAction(place.chatId, 'typing', inPlace(place));
  };

  /** The bus listener: never throws, never waits. */
  return (event: DomainEvent) => {
    if (event.type !== 'visitor.typing') return;
    const now = Date.now();
    const last = lastTried.get(event.ticketId);
    if (last !== undefined && now - last < intervalMs) return;
    lastTried.delete(event.ticketId);
    lastTried.set(event.ticketId, now);
    if (lastTried.size > REMEMBERED_TICKETS) lastTried.delete(lastTried.keys().next().value as number);
    RequestContext.create(orm.em, () => show(event.ticketId)).catch((error: unknown) =>
      logger.debug({ err: error, ticketId: event.ticketId }, 'typing indicator not shown'),
    );
  };
}
