import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MediaStore } from '../core/media-store.ts';
import { createFileMediaStore } from '../core/media-store-files.ts';
import { createPostgresMediaStore } from '../core/media-store-postgres.ts';
import type { Orm } from '../db/orm.ts';
import { databaseKind } from './support/database.ts';
import { mediaFiles } from './support/media-files.ts';
import { writeLocalFile } from './support/stored-media.ts';
import { createTestOrm } from './support/test-app.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;

let orm: Orm;
let closeOrm: () => Promise<void>;
let dataDir: string;
let media: MediaStore & Required<Pick<MediaStore, 'importLocalFiles'>>;

beforeAll(async () => {
  ({ orm, close: closeOrm } = await createTestOrm());
  dataDir = mkdtempSync(join(tmpdir(), 'switchboard-media-db-'));
  media = createPostgresMediaStore({ em: orm.em, local: createFileMediaStore(dataDir), dataDir });
}, 60_000);
afterAll(async () => {
  await closeOrm?.();
  rmSync(dataDir, { recursive: true, force: true });
});

const sql = <T>(query: string, params: unknown[] = []) => orm.em.getConnection().execute<T[]>(query, params);
const fileNameOf = (url: string) => url.split('/').pop() as string;
const backdate = (url: string, daysAgo: number) =>
  sql('update media_files set created_at = ? where file_name = ?', [
    new Date(Date.now() - daysAgo * DAY_MS),
    fileNameOf(url),
  ]);
async function collect(batches: AsyncIterable<string[]>) {
  const all: string[][] = [];
  for await (const batch of batches) all.push(batch);
  return all;
}
async function read(stream: NodeJS.ReadableStream) {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe(`media in the database (${databaseKind})`, () => {
  it('keeps the bytes of a Uint8Array, a Buffer and a received file exactly; nothing on disk', async () => {
    const sessionId = randomUUID();
    const bytes = new Uint8Array(randomBytes(1000));
    const fromArray = await media.save(sessionId, bytes, 'image/png');
    expect(fromArray).toMatch(new RegExp(`^/api/session/${sessionId}/media/[0-9a-f-]{36}\\.png$`));
    expect(await media.open(sessionId, fileNameOf(fromArray))).toEqual({
      bytes: Buffer.from(bytes),
      mimeType: 'image/png',
    });
    const incoming = await media.createIncoming();
    await new Promise<void>((resolve, reject) =>
      incoming.stream.end(Buffer.from('%PDF-1.4 hello'), () => resolve()).on('error', reject),
    );
    const kept = await media.keep(incoming, sessionId, 'application/pdf');
    await media.removeIncoming(incoming);
    expect((await media.open(sessionId, fileNameOf(kept)))?.bytes.toString()).toBe('%PDF-1.4 hello');
    expect(await media.usage(sessionId)).toBe(1000 + 14);
    expect(mediaFiles(dataDir)).toEqual([]);
  });

  it('streams a file larger than a chunk whole, with its size and type', async () => {
    const sessionId = randomUUID();
    const bytes = randomBytes(1_300_000);
    const url = await media.save(sessionId, bytes, 'video/mp4');
    const stored = await media.openStream(sessionId, fileNameOf(url));
    expect(stored).toMatchObject({ size: 1_300_000, mimeType: 'video/mp4' });
    expect((await read(stored?.stream as NodeJS.ReadableStream)).equals(bytes)).toBe(true);
    expect(await media.openStream(sessionId, `${randomUUID()}.png`)).toBeNull();
    expect(await media.openStream(sessionId, '../../etc/passwd')).toBeNull();
  });

  it('lists old files in batches by media URL, not fresh ones; discards one; removes a session', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const old = [
      await media.save(a, Buffer.from('1'), 'image/png'),
      await media.save(a, Buffer.from('2'), 'image/jpeg'),
      await media.save(b, Buffer.from('3'), 'application/pdf'),
    ];
    for (const url of old) await backdate(url, 1);
    const fresh = await media.save(b, Buffer.from('4'), 'image/png');
    const listed = (await collect(media.filesOlderThan(HOUR_MS, 2))).flat();
    expect(listed).toEqual(expect.arrayContaining(old));
    expect(listed).not.toContain(fresh);
    expect((await collect(media.filesOlderThan(-HOUR_MS, 1))).flat()).toContain(fresh);

    await media.discard(old[2] as string);
    expect(await media.open(b, fileNameOf(old[2] as string))).toBeNull();
    expect(await media.usage(b)).toBe(1);
    await media.removeSession(a);
    expect(await media.usage(a)).toBe(0);
    expect(await media.open(a, fileNameOf(old[0] as string))).toBeNull();
    await media.discard(old[2] as string); // harmless twice
  });

  it('serves files left in DATA_DIR/media, then moves them in with their age, once', async () => {
    const sessionId = randomUUID();
    const [left, erased] = [`${randomUUID()}.png`, `${randomUUID()}.jpg`];
    writeLocalFile(dataDir, join(sessionId, left), Buffer.from('left on disk'), 3);
    const otherSession = randomUUID();
    writeLocalFile(dataDir, join(otherSession, erased), Buffer.from('x'), 3);
    writeLocalFile(dataDir, join('.incoming', randomUUID()), Buffer.from('partial'));

    // Before the import: read through to the disk, counted in the quota, removable.
    expect((await media.open(sessionId, left))?.bytes.toString()).toBe('left on disk');
    expect(await media.usage(sessionId)).toBe(12);
    await media.removeSession(otherSession);
    expect(existsSync(join(dataDir, 'media', otherSession))).toBe(false);

    expect(await media.importLocalFiles()).toBe(1);
    expect(await media.importLocalFiles()).toBe(0);
    expect(mediaFiles(dataDir).map((file) => file.path.split('/')[0])).toEqual(['.incoming']);
    const stored = await media.openStream(sessionId, left);
    expect((await read(stored?.stream as NodeJS.ReadableStream)).toString()).toBe('left on disk');
    expect(stored?.mimeType).toBe('image/png');
    expect(await media.usage(sessionId)).toBe(12);
    // Its age came along: the orphan sweep sees it as 3 days old.
    const url = `/api/session/${sessionId}/media/${left}`;
    expect((await collect(media.filesOlderThan(2 * DAY_MS, 10))).flat()).toContain(url);
  });
});
