/** Telegram deliveries not sent yet (waiting or waiting to retry), as the job queue counts them. */
export type DeliveryBacklog = { waiting: number; oldestCreatedAt: Date | null };

/** The backlog as agents and /readyz see it: `delayed` once the oldest waits longer than the threshold. */
export type DeliveryStatus = { waiting: number; oldestSeconds: number | null; delayed: boolean };

/**
 * A delivery normally leaves within seconds; Telegram's limits (20 messages a minute per group) can hold
 * a burst for a minute or two. Past `delayedAfterSeconds` something is wrong (Telegram unreachable,
 * refusing, or the workers stuck) and agents are missing messages: say so.
 */
export function deliveryStatus(
  backlog: DeliveryBacklog,
  delayedAfterSeconds: number,
  now = Date.now(),
): DeliveryStatus {
  const oldestSeconds =
    backlog.oldestCreatedAt === null
      ? null
      : Math.max(0, Math.floor((now - backlog.oldestCreatedAt.getTime()) / 1000));
  return {
    waiting: backlog.waiting,
    oldestSeconds,
    delayed: oldestSeconds !== null && oldestSeconds > delayedAfterSeconds,
  };
}
