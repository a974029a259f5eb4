import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKind } from './support/database.ts';
import { mediaFiles, pngBytes } from './support/media-files.ts';
import { type RawUpload, startRawUpload } from './support/raw-upload.ts';
import { storedMediaOf } from './support/stored-media.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { eventually, newVisitor, type Visitor } from './support/visitor.ts';

const MB = 1024 * 1024;
/** A Windows executable's first bytes. */
const EXE = Buffer.concat([
  Buffer.from('4d5a90000300000004000000ffff0000', 'hex'),
  Buffer.from('This program cannot be run in DOS mode.'),
]);

let app: TestApp;
let addressCount = 0;
/** A client address of its own for each test (TRUST_PROXY: the last X-Forwarded-For entry). */
const newAddress = () => ({ 'x-forwarded-for': `198.51.100.${++addressCount}` });

beforeAll(async () => {
  app = await startTestApp({
    TRUST_PROXY: 'true',
    RATE_LIMIT_MESSAGES: '5',
    RATE_LIMIT_WINDOW_SECONDS: '600',
    UPLOADS_PER_SESSION: '2',
    UPLOADS_PER_IP: '3',
  });
}, 60_000);
afterAll(() => app?.close());

const upload = (
  visitor: Visitor,
  file: Blob,
  name: string,
  headers: Record<string, string> = newAddress(),
) => {
  const form = new FormData();
  form.append('file', file, name);
  return fetch(`${app.url}/api/session/${visitor.sessionId}/media`, {
    method: 'POST',
    headers: { authorization: `Bearer ${visitor.token}`, ...headers },
    body: form,
  }).then(async (response) => ({
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: (await response.json()) as {
      error?: { code: string; message: string };
      message?: { media_url: string };
    },
  }));
};
const rawUpload = (
  visitor: Visitor,
  options: Omit<Parameters<typeof startRawUpload>[1], 'token'> = {},
): RawUpload =>
  startRawUpload(`${app.url}/api/session/${visitor.sessionId}/media`, {
    token: visitor.token,
    headers: newAddress(),
    ...options,
  });
/** The session's stored files and any incoming (partly received) file. */
const filesOf = async (visitor: Visitor) => [
  ...(await storedMediaOf(app, visitor.sessionId)),
  ...mediaFiles(app.dataDir).filter((file) => file.path.startsWith('.incoming')),
];
const incomingFiles = () => mediaFiles(app.dataDir).filter((file) => file.path.startsWith('.incoming'));

describe(`uploads are bounded (${databaseKind})`, () => {
  it('an upload streams to disk; over the 10 MB limit it stops being read, answers 413 and leaves no file', async () => {
    const visitor = await newVisitor(app.url);
    const messagesBefore = await app.count('messages');
    // Chunked: no Content-Length to refuse it by, so the limit must hold while the bytes stream in.
    const raw = rawUpload(visitor, { type: 'image/png', fileName: 'huge.png' });
    await raw.send(raw.fileHead());
    await raw.send(pngBytes(8));
    const chunk = Buffer.alloc(256 * 1024);
    // It streams to disk as it arrives, not into memory.
    while (raw.bytesSent < 5 * MB) await raw.send(chunk);
    await eventually(async () => incomingFiles().some((file) => file.size >= 4 * MB));
    while (raw.bytesSent < 64 * MB && (await raw.send(chunk))) {}
    const answer = await raw.response;
    expect(answer.status).toBe(413);
    expect(answer.body).toEqual({ error: { code: 'payload_too_large', message: expect.any(String) } });
    // The server stopped reading: the client could not push the rest into the connection.
    expect(raw.bytesSent).toBeLessThan(40 * MB);
    await eventually(async () => raw.closed);
    expect(await filesOf(visitor)).toEqual([]);
    expect(await app.count('messages')).toBe(messagesBefore);

    // A declared size over the limit is refused before a byte of the body is sent.
    const declared = rawUpload(visitor, { type: 'image/png', declaredLength: 11 * MB });
    declared.flushHeaders();
    expect((await declared.response).status).toBe(413);
    expect(declared.bytesSent).toBe(0);
    expect(await filesOf(visitor)).toEqual([]);
  });

  it('decides the type by content: a PNG sent as image/jpeg is stored as PNG; plain text is UTF-8 text', async () => {
    const visitor = await newVisitor(app.url);
    const png = await upload(visitor, new Blob([pngBytes(100)], { type: 'image/jpeg' }), 'photo.jpg');
    expect(png.status).toBe(201);
    expect(png.body.message?.media_url).toMatch(/\.png$/);
    const served = await fetch(`${app.url}${png.body.message?.media_url}`, {
      headers: { authorization: `Bearer ${visitor.token}` },
    });
    expect(served.headers.get('content-type')).toBe('image/png');

    const text = await upload(visitor, new Blob(['Grüße, 你好\n'], { type: 'text/plain' }), 'note.txt');
    expect(text.status).toBe(201);
    expect(text.body.message?.media_url).toMatch(/\.txt$/);
    expect((await filesOf(visitor)).map((file) => file.path.split('.').pop()).sort()).toEqual(['png', 'txt']);
  });

  it('refuses, writing nothing: an executable sent as image/png, binary sent as text/plain, unknown content, two files', async () => {
    const visitor = await newVisitor(app.url);
    const messagesBefore = await app.count('messages');
    const refusals = [
      await upload(visitor, new Blob([EXE], { type: 'image/png' }), 'cat.png'),
      await upload(
        visitor,
        new Blob([Buffer.from([0x41, 0x00, 0x42, 0xff])], { type: 'text/plain' }),
        'a.txt',
      ),
      await upload(visitor, new Blob(['plain words'], { type: 'application/octet-stream' }), 'a.bin'),
    ];
    const twoFiles = new FormData();
    twoFiles.append('file', new Blob([pngBytes(64)], { type: 'image/png' }), 'a.png');
    twoFiles.append('file', new Blob([pngBytes(64)], { type: 'image/png' }), 'b.png');
    const second = await fetch(`${app.url}/api/session/${visitor.sessionId}/media`, {
      method: 'POST',
      headers: { authorization: `Bearer ${visitor.token}`, ...newAddress() },
      body: twoFiles,
    });
    expect(second.status).toBe(400);
    for (const refusal of refusals) {
      expect(refusal.status).toBe(400);
      expect(refusal.body.error?.code).toBe('validation_failed');
    }
    expect(await filesOf(visitor)).toEqual([]);
    expect(await app.count('messages')).toBe(messagesBefore);
  });

  it('refuses a mismatch as soon as the first bytes arrive, without waiting for the rest', async () => {
    const visitor = await newVisitor(app.url);
    // An executable announced as 5 MB: its first bytes decide, the rest is never awaited.
    const exe = rawUpload(visitor, { type: 'image/png', fileName: 'cat.png', declaredLength: 5 * MB });
    await exe.send(exe.fileHead());
    await exe.send(Buffer.concat([EXE, Buffer.alloc(64 * 1024)]));
    expect((await exe.response).status).toBe(400);
    expect(exe.bytesSent).toBeLessThan(5 * MB);

    // Text that turns binary half a megabyte in: refused when the binary part arrives.
    const text = rawUpload(visitor, { type: 'text/plain', fileName: 'log.txt' });
    await text.send(text.fileHead());
    await text.send(Buffer.alloc(512 * 1024, 'a'));
    await text.send(Buffer.from([0x00, 0x01, 0x02]));
    expect((await text.response).status).toBe(400);
    await eventually(async () => text.closed);
    expect(await filesOf(visitor)).toEqual([]);
  });

  it('caps uploads in progress per session and per address (429), and frees the place when one ends', async () => {
    const [first, second] = [await newVisitor(app.url), await newVisitor(app.url)];
    const shared = newAddress();
    const small = () => new Blob([pngBytes(64)], { type: 'image/png' });
    const stalled = [
      rawUpload(first, { headers: shared, type: 'image/png', declaredLength: 2 * MB }),
      rawUpload(first, { headers: shared, type: 'image/png', declaredLength: 2 * MB }),
      rawUpload(second, { headers: shared, type: 'image/png', declaredLength: 2 * MB }),
    ];
    for (const raw of stalled) {
      await raw.send(raw.fileHead());
      await raw.send(pngBytes(1024));
    }
    await eventually(async () => incomingFiles().length === 3);

    const perSession = await upload(first, small(), 'a.png', newAddress());
    expect(perSession.status).toBe(429);
    expect(perSession.body.error?.code).toBe('rate_limited');
    expect(Number(perSession.retryAfter)).toBeGreaterThan(0);
    const perAddress = await upload(second, small(), 'b.png', shared);
    expect(perAddress.status).toBe(429);
    expect((await upload(second, small(), 'c.png', newAddress())).status).toBe(201);

    // The client of a stalled upload leaves: its place and its incoming file go.
    stalled[0]?.destroy();
    await eventually(async () => incomingFiles().length === 2);
    expect((await upload(first, small(), 'd.png', newAddress())).status).toBe(201);
    for (const raw of stalled) raw.destroy();
    await eventually(async () => incomingFiles().length === 0);
  });

  it('a rate-limited upload is refused before its body is read and leaves nothing', async () => {
    const visitor = await newVisitor(app.url);
    for (let i = 0; i < 5; i++) await visitor.say(`message ${i}`);
    const messagesBefore = await app.count('messages');
    const raw = rawUpload(visitor, { type: 'image/png', declaredLength: 3 * MB });
    raw.flushHeaders();
    const answer = await raw.response;
    expect(answer.status).toBe(429);
    expect(answer.headers['retry-after']).toMatch(/^\d+$/);
    expect(raw.bytesSent).toBe(0);
    expect(await filesOf(visitor)).toEqual([]);
    expect(await app.count('messages')).toBe(messagesBefore);
  });

  it('when storing the message fails, the file that was moved into place is removed', async () => {
    const visitor = await newVisitor(app.url);
    const original = app.services.messages.sendVisitorMessage;
    app.services.messages.sendVisitorMessage = async () => {
      throw new Error('the database went away');
    };
    try {
      const failed = await upload(visitor, new Blob([pngBytes(2048)], { type: 'image/png' }), 'a.png');
      expect(failed.status).toBe(500);
    } finally {
      app.services.messages.sendVisitorMessage = original;
    }
    expect(await filesOf(visitor)).toEqual([]);
  });

  it('60 stalled uploads are on disk as they arrive, and leave nothing behind when their clients go', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const visitors = await Promise.all(Array.from({ length: 60 }, () => newVisitor(app.url)));
    const megabyte = pngBytes(MB);
    const memory = () => {
      gc();
      const { rss, heapUsed, arrayBuffers } = process.memoryUsage();
      return { rss, heapUsed, arrayBuffers };
    };
    const before = memory();

    const stalled = visitors.map((visitor) =>
      rawUpload(visitor, { type: 'image/png', fileName: 'big.png', declaredLength: 5 * MB }),
    );
    await Promise.all(
      stalled.map(async (raw) => {
        await raw.send(raw.fileHead());
        await raw.send(megabyte);
      }),
    );
    // Every upload's first megabyte is on disk; then each client stalls.
    await eventually(async () => {
      const incoming = incomingFiles();
      return incoming.length === 60 && incoming.every((file) => file.size >= MB);
    }, 30_000);
    const during = memory();
    const growth = {
      rssMb: (during.rss - before.rss) / MB,
      heapMb: (during.heapUsed - before.heapUsed) / MB,
      arrayBuffersMb: (during.arrayBuffers - before.arrayBuffers) / MB,
    };
    console.info(
      `60 stalled uploads (60 MB received): memory growth ${JSON.stringify(growth, (_, v) =>
        typeof v === 'number' ? Math.round(v * 10) / 10 : v,
      )}; rss ${Math.round(during.rss / MB)} MB`,
    );
    // The figure is for the record (the client's buffers share this process, so it is not asserted:
    // memory is measured by `npm run bench`); what is asserted above is that the bytes are on disk.

    for (const raw of stalled) raw.destroy();
    await eventually(async () => incomingFiles().length === 0, 30_000);
    // The places are free again.
    const after = await upload(
      visitors[0] as Visitor,
      new Blob([pngBytes(64)], { type: 'image/png' }),
      'a.png',
    );
    expect(after.status).toBe(201);
  }, 90_000);
});
