import { parseMediaUrl } from './media-store.ts';
import type { FileMediaStore } from './media-store-files.ts';

/**
 * Moves the files under `DATA_DIR/media` (the files store's) into a shared store through `put`, each
 * with its name, type and time; a file is removed from disk once `put` returned (its copy is stored).
 * Harmless on several instances at once: `put` keeps an existing copy. A file removed (retention,
 * erasure) while it is being moved may come back as a copy no message references: the orphan sweep
 * removes it. Returns how many were moved.
 */
export async function moveLocalFiles(
  local: FileMediaStore,
  put: (file: {
    sessionId: string;
    fileName: string;
    bytes: Buffer;
    mimeType: string;
    createdAt: Date;
  }) => Promise<void>,
): Promise<number> {
  let moved = 0;
  for await (const mediaUrls of local.filesOlderThan(Number.NEGATIVE_INFINITY, 50)) {
    for (const mediaUrl of mediaUrls) {
      const { sessionId, fileName } = parseMediaUrl(mediaUrl) as { sessionId: string; fileName: string };
      const createdAt = await local.createdAt(sessionId, fileName);
      const file = await local.open(sessionId, fileName);
      if (!file || !createdAt) continue;
      await put({ sessionId, fileName, bytes: file.bytes, mimeType: file.mimeType, createdAt });
      await local.discard(mediaUrl);
      moved++;
    }
  }
  return moved;
}
