import type { EntityManager } from '../db/orm.ts';

export type MediaRetentionService = ReturnType<typeof createMediaRetentionService>;

/** Messages handled per round: bounded memory and short statements, however much has expired. */
const BATCH = 200;

/**
 * Media retention: files of tickets closed before a cutoff are removed, and their messages keep their
 * text with `media_url` null (the widget and the agents then show the text alone). Files of tickets
 * still open are kept however old.
 */
export function createMediaRetentionService({ em }: { em: EntityManager }) {
  const sql = <T>(query: string, params: unknown[]) => em.getConnection().execute<T[]>(query, params);

  return {
    /**
     * Removes the media of messages whose ticket was closed before `cutoff`: each file through
     * `removeFile` first, then the message's `media_url` is cleared, so a crash in between leaves a
     * message pointing at no file (answered 404, cleared next time), never a file nobody points at.
     * Returns how many messages lost their media.
     */
    async removeMediaOfTicketsClosedBefore(
      cutoff: Date,
      removeFile: (mediaUrl: string) => Promise<void>,
    ): Promise<number> {
      let removed = 0;
      for (;;) {
        const expired = await sql<{ id: number; media_url: string }>(
          `select m.id, m.media_url from messages m join tickets t on t.id = m.ticket_id
           where m.media_url is not null and t.status = 'closed' and t.closed_at < ?
           order by m.id limit ?`,
          [cutoff, BATCH],
        );
        if (expired.length === 0) return removed;
        for (const message of expired) await removeFile(message.media_url);
        const ids = expired.map((message) => message.id);
        await sql(`update messages set media_url = null where id in (${ids.map(() => '?').join(', ')})`, ids);
        removed += expired.length;
      }
    },
  };
}
