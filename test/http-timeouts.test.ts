import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKind } from './support/database.ts';
import { mediaFiles, pngBytes } from './support/media-files.ts';
import { startRawUpload } from './support/raw-upload.ts';
import { openSse } from './support/sse.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { eventually, newVisitor } from './support/visitor.ts';

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({
    HTTP_HEADERS_TIMEOUT_SECONDS: '2',
    HTTP_REQUEST_TIMEOUT_SECONDS: '2',
    RATE_LIMIT_MESSAGES: '100',
  });
}, 60_000);
afterAll(() => app?.close());

const incomingFiles = () => mediaFiles(app.dataDir).filter((file) => file.path.startsWith('.incoming'));

/** An upload that sends its first kilobyte and then nothing. */
async function stalledUpload(visitor: { sessionId: string; token: string }) {
  const raw = startRawUpload(`${app.url}/api/session/${visitor.sessionId}/media`, {
    token: visitor.token,
    type: 'image/png',
    declaredLength: 1024 * 1024,
  });
  await raw.send(raw.fileHead());
  await raw.send(pngBytes(1024));
  return raw;
}

describe(`HTTP timeouts (${databaseKind})`, () => {
  it('a stalled upload is answered 408 and disconnected; its incoming file and its place are freed', async () => {
    const visitor = await newVisitor(app.url);
    const stalled = await Promise.all([stalledUpload(visitor), stalledUpload(visitor)]);
    await eventually(async () => incomingFiles().length === 2);
    for (const raw of stalled) {
      const answer = await raw.response;
      expect(answer.status).toBe(408);
      expect(answer.body).toEqual({ error: { code: 'bad_request', message: expect.any(String) } });
    }
    await eventually(async () => stalled.every((raw) => raw.closed) && incomingFiles().length === 0);
    expect(mediaFiles(app.dataDir)).toEqual([]);

    // Both of the session's upload places are free again.
    const form = new FormData();
    form.append('file', new Blob([pngBytes(64)], { type: 'image/png' }), 'a.png');
    const response = await fetch(`${app.url}/api/session/${visitor.sessionId}/media`, {
      method: 'POST',
      headers: { authorization: `Bearer ${visitor.token}` },
      body: form,
    });
    expect(response.status).toBe(201);
  });

  it('headers that never finish arriving are answered 408 and disconnected', async () => {
    const socket = connect(app.port, '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
    });
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => {});
    socket.write('POST /api/session HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n');
    await closed;
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('an event stream outlives the request timeout: only the request is timed, not the response', async () => {
    const visitor = await newVisitor(app.url);
    const stream = await openSse(`${app.url}/api/session/${visitor.sessionId}/events`, {
      authorization: `Bearer ${visitor.token}`,
    });
    expect(stream.status).toBe(200);
    // An upload that stalls after the stream opened times out: the stream is now older than the timeout.
    const stalled = await stalledUpload(visitor);
    expect((await stalled.response).status).toBe(408);

    await visitor.say('after the timeout');
    await stream.waitFor((events) =>
      events.some((e) => (e.data as { body?: string }).body === 'after the timeout'),
    );
    await stream.close();
  });
});
