import type { EntityManager } from '../db/orm.ts';

export type MediaRetentionService = ReturnType<typeof createMediaRetentionService>;

/** Messages handled per round: bounded memory and short statements, however much has expired. */
const BATCH = 200;

/**
 * Media retention: files of tickets closed before a cutoff are removed, and their messages keep their
 * text with `media_url` null (the widget and the agents then show the text alone). Files of tickets
 * still open are kept however old. Also tells which files messages reference, so that files no message
 * references (left by a process that stopped before their message committed) can be removed.
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

    /**
     * Which of these media URLs a message references: one statement for the whole batch, through the
     * index on the messages' session (every media URL names its message's session).
     */
    async referencedMediaUrls(mediaUrls: string[]): Promise<Set<string>> {
      const sessionIds = [...new Set(mediaUrls.map(sessionIdOf).filter((id) => id !== null))];
      if (sessionIds.length === 0) return new Set();
      // An array parameter is expanded into a list of values.
      const rows = await sql<{ media_url: string }>(
        `select distinct media_url from messages where session_id in (?) and media_url in (?)`,
        [sessionIds, mediaUrls],
      );
      return new Set(rows.map((row) => row.media_url));
    },
  };
}

/** The session id a media URL names (`/api/session/<id>/media/<file>`), when it names a well-formed one. */
function sessionIdOf(mediaUrl: string): string | null {
  return (
    /^\/api\/session\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/media\/[^/]+$/.exec(
      mediaUrl,
    )?.[1] ?? null
  );
}
