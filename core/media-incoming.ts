import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { IncomingFile } from './media-store.ts';

/**
 * Files still arriving, in a local folder of this instance (an upload is one request, on one
 * instance): streamed to disk with the size limit enforced as they arrive, then kept or removed.
 */
export function createIncomingFiles(dir: string) {
  return {
    dir,
    /** A new file to stream an upload into. */
    async create(): Promise<IncomingFile> {
      await mkdir(dir, { recursive: true });
      const path = join(dir, randomUUID());
      return { path, stream: createWriteStream(path, { flags: 'wx' }) };
    },

    /**
     * Removes an incoming file (gone already once kept by a move: harmless). A stream still opening
     * creates its file when the open completes: the file is removed only once the stream closed, else
     * an upload refused at once (before its first write) could leave an empty file behind.
     */
    async remove(file: IncomingFile): Promise<void> {
      if (!file.stream.closed) {
        await new Promise<void>((resolve) => {
          file.stream.once('close', () => resolve());
          file.stream.destroy();
        });
      }
      await rm(file.path, { force: true });
    },

    /**
     * Removes incoming files older than `olderThanMs`: left by a process that stopped mid-upload. Only
     * old ones, so that another instance's uploads in progress on a shared DATA_DIR are left alone.
     */
    async removeStale(olderThanMs: number): Promise<number> {
      const names = await readdir(dir).catch(() => [] as string[]);
      let removed = 0;
      for (const name of names) {
        const path = join(dir, name);
        const info = await stat(path).catch(() => null);
        if (info && Date.now() - info.mtimeMs > olderThanMs) {
          await rm(path, { force: true });
          removed++;
        }
      }
      return removed;
    },
  };
}

export type IncomingFiles = ReturnType<typeof createIncomingFiles>;
