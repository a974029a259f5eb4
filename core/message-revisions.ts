import type { EntityManager } from '../db/orm.ts';

/**
 * The cursor for "which messages changed since" (GET /api/session/:id?since=). A message's `revision` is
 * the id of the transaction that last wrote it (db/entities/message.entity.ts). Transaction ids are
 * handed out when transactions start but commit in any order, so the highest revision a reader has seen
 * is no cursor: an older transaction committing later would write a smaller revision, which the next
 * read would skip. The cursor is instead the oldest transaction still running now (the snapshot's xmin):
 * every transaction below it has ended, so its changes are visible to any read that starts after this
 * call, and every change not yet visible carries a revision at or above it. Reading it before the
 * messages keeps that true on any connection; the price is that a change may be sent twice.
 */
export async function revisionCursor(em: EntityManager): Promise<number> {
  const [row] = await em
    .getConnection()
    .execute<{ xmin: string }[]>('select pg_snapshot_xmin(pg_current_snapshot())::text as xmin');
  return Number(row?.xmin);
}
