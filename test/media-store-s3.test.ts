import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileMediaStore } from '../core/media-store-files.ts';
import { createS3MediaStore } from '../core/media-store-s3.ts';
import { createS3Client } from '../core/s3-client.ts';
import { type FakeS3, startFakeS3 } from './support/fake-s3.ts';
import { mediaFiles } from './support/media-files.ts';
import { writeLocalFile } from './support/stored-media.ts';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
const CREDENTIALS = {
  bucket: 'switchboard-media',
  region: 'eu-central-1',
  accessKeyId: 'AKIATESTTESTTEST',
  secretAccessKey: 'fake/secret+key0123456789abcdefghijklmno',
};

let s3: FakeS3;
let dataDir: string;
let media: ReturnType<typeof createS3MediaStore>;

beforeAll(async () => {
  s3 = await startFakeS3(CREDENTIALS);
  dataDir = mkdtempSync(join(tmpdir(), 'switchboard-media-s3-'));
  media = createS3MediaStore({
    // Small pages, so that listings go through ListObjectsV2's continuation.
    s3: createS3Client({ ...CREDENTIALS, endpoint: s3.endpoint }, { listPageSize: 2 }),
    local: createFileMediaStore(dataDir),
    dataDir,
  });
});
afterAll(async () => {
  await s3?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const fileNameOf = (url: string) => url.split('/').pop() as string;
const keyOf = (url: string) => url.replace(/^\/api\/session\/([^/]+)\/media\//, 'media/$1/');
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

describe('media in an S3-compatible bucket', () => {
  it('keeps a Uint8Array, a Buffer and a received file exactly, signed requests only; nothing on disk', async () => {
    const sessionId = randomUUID();
    const bytes = new Uint8Array(randomBytes(2000));
    const url = await media.save(sessionId, bytes, 'image/png');
    expect(url).toMatch(new RegExp(`^/api/session/${sessionId}/media/[0-9a-f-]{36}\\.png$`));
    expect(s3.object(keyOf(url))?.contentType).toBe('image/png');
    expect(await media.open(sessionId, fileNameOf(url))).toEqual({
      bytes: Buffer.from(bytes),
      mimeType: 'image/png',
    });

    const incoming = await media.createIncoming();
    await new Promise<void>((resolve) => incoming.stream.end(Buffer.from('%PDF-1.4 hello'), () => resolve()));
    const kept = await media.keep(incoming, sessionId, 'application/pdf');
    await media.removeIncoming(incoming);
    const stored = await media.openStream(sessionId, fileNameOf(kept));
    expect(stored).toMatchObject({ size: 14, mimeType: 'application/pdf' });
    expect((await read(stored?.stream as NodeJS.ReadableStream)).toString()).toBe('%PDF-1.4 hello');
    expect(await media.usage(sessionId)).toBe(2014);
    expect(await media.openStream(sessionId, `${randomUUID()}.png`)).toBeNull();
    expect(await media.open(sessionId, '../x')).toBeNull();
    expect(mediaFiles(dataDir)).toEqual([]);
    expect(s3.refused).toEqual([]);
  });

  it('lists old objects in batches across pages, not fresh ones; discards one; removes a session', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const old: string[] = [];
    for (let i = 0; i < 3; i++) old.push(await media.save(a, Buffer.from(`a${i}`), 'image/jpeg'));
    old.push(await media.save(b, Buffer.from('b'), 'application/pdf'));
    for (const url of old) s3.age(keyOf(url), DAY_MS);
    const fresh = await media.save(b, Buffer.from('fresh'), 'image/png');

    const listCalls = s3.listCalls();
    const listed = (await collect(media.filesOlderThan(HOUR_MS, 2))).flat();
    expect(s3.listCalls() - listCalls).toBeGreaterThan(2);
    expect(listed).toEqual(expect.arrayContaining(old));
    expect(listed).not.toContain(fresh);

    await media.discard(old[3] as string);
    expect(await media.open(b, fileNameOf(old[3] as string))).toBeNull();
    await media.discard(old[3] as string); // harmless twice
    await media.removeSession(a);
    expect(s3.keys().filter((key) => key.includes(a))).toEqual([]);
    expect(await media.usage(b)).toBe(5);
  });

  it('serves files left in DATA_DIR/media, then moves them into the bucket once', async () => {
    const sessionId = randomUUID();
    const left = `${randomUUID()}.png`;
    writeLocalFile(dataDir, join(sessionId, left), Buffer.from('left on disk'), 3);
    expect((await media.open(sessionId, left))?.bytes.toString()).toBe('left on disk');
    expect(await media.importLocalFiles()).toBe(1);
    expect(await media.importLocalFiles()).toBe(0);
    expect(mediaFiles(dataDir)).toEqual([]);
    expect(s3.object(`media/${sessionId}/${left}`)?.bytes.toString()).toBe('left on disk');
    expect((await media.open(sessionId, left))?.bytes.toString()).toBe('left on disk');
  });

  it('a wrong secret is refused by the signature check; the error names S3’s code, not the secret', async () => {
    const wrong = createS3MediaStore({
      s3: createS3Client({ ...CREDENTIALS, secretAccessKey: 'not-the-secret', endpoint: s3.endpoint }),
      local: createFileMediaStore(dataDir),
      dataDir,
    });
    const error = await wrong.save(randomUUID(), Buffer.from('x'), 'image/png').catch((e: Error) => e);
    expect(String(error)).toMatch(/403 SignatureDoesNotMatch/);
    expect(String(error)).not.toContain('not-the-secret');
    expect(s3.refused.at(-1)).toBe('SignatureDoesNotMatch');
  });
});
