import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MediaStore } from '../core/media-store.ts';
import { createFileMediaStore } from '../core/media-store-files.ts';
import { mediaFiles } from './support/media-files.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;

let dataDir: string;
let media: MediaStore;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'switchboard-media-'));
  media = createFileMediaStore(dataDir);
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

/** Writes a file under `DATA_DIR/media`, last modified `daysAgo` days back. */
function put(path: string, daysAgo: number) {
  const full = join(dataDir, 'media', path);
  mkdirSync(join(full, '..'), { recursive: true });
  writeFileSync(full, 'x');
  const then = new Date(Date.now() - daysAgo * DAY_MS);
  utimesSync(full, then, then);
}

async function collect(batches: AsyncIterable<string[]>) {
  const all: string[][] = [];
  for await (const batch of batches) all.push(batch);
  return all;
}

describe('media store', () => {
  it('saves a file whole into the session, leaving nothing incoming, dated now', async () => {
    const sessionId = randomUUID();
    const url = await media.save(sessionId, Buffer.from('%PDF-1.4'), 'application/pdf');
    expect(url).toMatch(new RegExp(`^/api/session/${sessionId}/media/[0-9a-f-]{36}\\.pdf$`));
    const fileName = url.split('/').pop() as string;
    expect(mediaFiles(dataDir)).toEqual([{ path: join(sessionId, fileName), size: 8 }]);
    expect(await collect(media.filesOlderThan(HOUR_MS, 10))).toEqual([]);
    expect(await collect(media.filesOlderThan(-1, 10))).toEqual([[url]]);
  });

  it("lists old files of session folders in batches, by media URL; not fresh ones, incoming ones or others'", async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const old = [`${a}/${randomUUID()}.png`, `${a}/${randomUUID()}.jpg`, `${b}/${randomUUID()}.pdf`];
    for (const path of old) put(path, 1);
    put(`${b}/${randomUUID()}.png`, 0);
    put(`.incoming/${randomUUID()}`, 1);
    put(`not-a-session/${randomUUID()}.png`, 1);
    put(`${a}/notes.txt`, 1);
    put(`${'-'.repeat(36)}/${randomUUID()}.png`, 1);

    const batches = await collect(media.filesOlderThan(HOUR_MS, 2));

    expect(batches.map((batch) => batch.length)).toEqual([2, 1]);
    expect(batches.flat().sort()).toEqual(
      old.map((path) => `/api/session/${path.replace('/', '/media/')}`).sort(),
    );
  });

  it('lists nothing when no media was ever stored', async () => {
    expect(await collect(media.filesOlderThan(0, 10))).toEqual([]);
  });
});
