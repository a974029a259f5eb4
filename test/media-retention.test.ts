import { randomUUID } from 'node:crypto';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKind } from './support/database.ts';
import { mediaFiles, pngBytes } from './support/media-files.ts';
import { backdateStoredFile, putStoredFile, storedMediaOf } from './support/stored-media.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { newVisitor, type Visitor } from './support/visitor.ts';

const KB = 1024;
const DAY_MS = 24 * 60 * 60 * 1000;

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({
    MEDIA_QUOTA_MB_PER_SESSION: '1',
    MEDIA_RETENTION_DAYS: '30',
    RATE_LIMIT_MESSAGES: '100',
  });
}, 60_000);
afterAll(() => app?.close());

async function upload(visitor: Visitor, bytes: Buffer<ArrayBuffer>, caption = '') {
  const form = new FormData();
  form.append('file', new Blob([bytes], { type: 'image/png' }), 'a.png');
  form.append('body', caption);
  const response = await fetch(`${app.url}/api/session/${visitor.sessionId}/media`, {
    method: 'POST',
    headers: { authorization: `Bearer ${visitor.token}` },
    body: form,
  });
  return {
    status: response.status,
    body: (await response.json()) as {
      error?: { code: string; message: string };
      message?: { id: number; media_url: string };
      ticket?: { id: number };
    },
  };
}
const filesOf = (visitor: Visitor) => storedMediaOf(app, visitor.sessionId);
const closeTicket = (visitor: Visitor, ticketId: number, daysAgo: number) =>
  app.orm.em
    .getConnection()
    .execute(`update tickets set status = 'closed', closed_at = ? where id = ? and session_id = ?`, [
      new Date(Date.now() - daysAgo * DAY_MS),
      ticketId,
      visitor.sessionId,
    ]);

describe(`media quota and retention (${databaseKind})`, () => {
  it("refuses an upload beyond the session's quota with 413, leaving no file", async () => {
    const visitor = await newVisitor(app.url);
    expect((await upload(visitor, pngBytes(700 * KB))).status).toBe(201);
    const messagesBefore = await app.count('messages');
    const over = await upload(visitor, pngBytes(700 * KB));
    expect(over.status).toBe(413);
    expect(over.body.error).toEqual({ code: 'payload_too_large', message: expect.stringMatching(/1 MB/) });
    expect(await filesOf(visitor)).toHaveLength(1);
    expect(mediaFiles(app.dataDir).filter((file) => file.path.startsWith('.incoming'))).toEqual([]);
    expect(await app.count('messages')).toBe(messagesBefore);
    // What is left of the quota is still usable; another session has its own.
    expect((await upload(visitor, pngBytes(200 * KB))).status).toBe(201);
    expect((await upload(await newVisitor(app.url), pngBytes(700 * KB))).status).toBe(201);
  });

  it('removes the files of tickets closed longer ago than MEDIA_RETENTION_DAYS; keeps open and recent ones', async () => {
    const [expired, open, recent] = [
      await newVisitor(app.url),
      await newVisitor(app.url),
      await newVisitor(app.url),
    ];
    const expiredUpload = await upload(expired, pngBytes(10 * KB), 'the receipt');
    await upload(open, pngBytes(10 * KB));
    const recentUpload = await upload(recent, pngBytes(10 * KB));
    await closeTicket(expired, expiredUpload.body.ticket?.id as number, 31);
    await closeTicket(recent, recentUpload.body.ticket?.id as number, 29);
    // The open ticket's file is old too: only closed tickets expire.
    await app.orm.em
      .getConnection()
      .execute(`update messages set created_at = ? where session_id = ?`, [
        new Date(Date.now() - 400 * DAY_MS),
        open.sessionId,
      ]);

    await app.sweepMedia();

    expect(await filesOf(expired)).toEqual([]);
    expect(await filesOf(open)).toHaveLength(1);
    expect(await filesOf(recent)).toHaveLength(1);
    // The message keeps its text, without media; the old URL is gone; the conversation reads as usual.
    const message = (await expired.messages('visitor'))[0];
    expect(message).toMatchObject({ body: 'the receipt', media_url: null });
    const gone = await fetch(`${app.url}${expiredUpload.body.message?.media_url}`, {
      headers: { authorization: `Bearer ${expired.token}` },
    });
    expect(gone.status).toBe(404);
    expect((await open.messages('visitor'))[0]?.media_url).toMatch(/\.png$/);
  });

  it('removes incoming files left by a stopped process once they are stale, not ones in progress', async () => {
    const incoming = join(app.dataDir, 'media', '.incoming');
    mkdirSync(incoming, { recursive: true });
    writeFileSync(join(incoming, 'left-by-a-crash'), 'partial');
    const old = new Date(Date.now() - DAY_MS);
    utimesSync(join(incoming, 'left-by-a-crash'), old, old);
    writeFileSync(join(incoming, 'in-progress'), 'partial');

    await app.sweepMedia();

    expect(mediaFiles(app.dataDir).filter((file) => file.path.startsWith('.incoming'))).toEqual([
      { path: join('.incoming', 'in-progress'), size: 7 },
    ]);
  });

  it('removes files no message references once they are old (a crash before the commit), freeing the quota', async () => {
    const visitor = await newVisitor(app.url);
    const kept = await upload(visitor, pngBytes(600 * KB), 'kept');
    expect(kept.status).toBe(201);
    const keptUrl = kept.body.message?.media_url ?? '';
    const keptFile = join(visitor.sessionId, keptUrl.split('/').pop() ?? '');
    // What a process killed between moving a file into the session and committing its message leaves.
    await putStoredFile(app, visitor.sessionId, pngBytes(300 * KB), 'image/png', 1);
    const fresh = await putStoredFile(app, visitor.sessionId, pngBytes(10 * KB), 'image/png');
    await backdateStoredFile(app, keptFile, 1);
    // The same for a session that has no message at all (an agent's file, say).
    const otherSession = randomUUID();
    await putStoredFile(app, otherSession, Buffer.from('jpeg'), 'image/jpeg', 1);
    // The orphan counts against the session's quota until it is gone: 910 KB of 1 MB used.
    expect((await upload(visitor, pngBytes(200 * KB))).status).toBe(413);
    expect(await filesOf(visitor)).toHaveLength(3);

    await app.sweepMedia();

    // The referenced file stays however old, the unreferenced one stays while it may still be committing.
    expect((await filesOf(visitor)).map((file) => file.path).sort()).toEqual([keptFile, fresh].sort());
    expect(await storedMediaOf(app, otherSession)).toEqual([]);
    const served = await fetch(`${app.url}${keptUrl}`, {
      headers: { authorization: `Bearer ${visitor.token}` },
    });
    expect(served.status).toBe(200);
    expect((await served.arrayBuffer()).byteLength).toBe(600 * KB);
    // The quota counts the messages' files again.
    expect((await upload(visitor, pngBytes(200 * KB))).status).toBe(201);
  });
});
