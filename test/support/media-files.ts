import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Every file under `DATA_DIR/media` (incoming ones included), as paths relative to it, with sizes. */
export function mediaFiles(dataDir: string): { path: string; size: number }[] {
  const root = join(dataDir, 'media');
  const files: { path: string; size: number }[] = [];
  const walk = (dir: string) => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(dir, name);
      const info = statSync(path, { throwIfNoEntry: false });
      if (info?.isDirectory()) walk(path);
      else if (info) files.push({ path: relative(root, path), size: info.size });
    }
  };
  walk(root);
  return files;
}

/** A PNG's signature followed by `size - 8` more bytes: a file the server takes for a PNG. */
export function pngBytes(size: number): Buffer<ArrayBuffer> {
  const bytes = Buffer.alloc(size);
  Buffer.from('89504e470d0a1a0a', 'hex').copy(bytes);
  return bytes;
}
