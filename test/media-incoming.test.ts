import {
  close,
  createWriteStream,
  existsSync,
  mkdtempSync,
  open,
  readdirSync,
  rmSync,
  write,
  writev,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createIncomingFiles } from '../core/media-incoming.ts';

describe('incoming upload files', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'switchboard-incoming-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('a file whose stream is still opening is removed once the open completed, not left behind', async () => {
    const incoming = createIncomingFiles(scratch);
    const path = join(scratch, 'slow-open');
    // An open the file system answers late (a busy thread pool): the file appears only then.
    let opened = false;
    const stream = createWriteStream(path, {
      flags: 'wx',
      fs: {
        write,
        writev,
        close,
        open: (...args: Parameters<typeof open>) =>
          setTimeout(() => {
            opened = true;
            (open as (...a: unknown[]) => void)(...args);
          }, 50),
      },
    });
    await incoming.remove({ path, stream });
    expect(opened).toBe(true);
    expect(stream.closed).toBe(true);
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(scratch)).toEqual([]);
  });
});
