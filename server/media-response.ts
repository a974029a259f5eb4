import type Koa from 'koa';
import { NotFound } from '../core/errors.ts';
import type { MediaStore } from '../core/media-store.ts';

/** Answers with a conversation's stored file (visitor and agent routes alike): images inline, others as downloads. */
export async function sendMediaFile(
  ctx: Koa.Context,
  media: MediaStore,
  sessionId: string,
  fileName: string,
) {
  // Streamed from disk: many visitors fetching 10 MB files at once cost no memory.
  const stored = await media.openStream(sessionId, fileName);
  if (!stored) throw new NotFound('File');
  ctx.set('Cache-Control', 'private, max-age=86400');
  ctx.set('Content-Disposition', stored.mimeType.startsWith('image/') ? 'inline' : 'attachment');
  ctx.type = stored.mimeType;
  ctx.length = stored.size;
  ctx.body = stored.stream;
}
