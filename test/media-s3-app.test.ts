import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../app/config.ts';
import { databaseKind } from './support/database.ts';
import { type FakeS3, startFakeS3 } from './support/fake-s3.ts';
import { mediaFiles, pngBytes } from './support/media-files.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { newVisitor } from './support/visitor.ts';

const BUCKET = {
  bucket: 'media',
  region: 'auto',
  accessKeyId: 'AKIAAPPTEST',
  secretAccessKey: 'app-secret-0123456789',
};
const ADMIN_TOKEN = 'admin-token-s3-0123456789';

describe(`MEDIA_STORE=s3 (${databaseKind})`, () => {
  let s3: FakeS3;
  let app: TestApp;

  beforeAll(async () => {
    s3 = await startFakeS3(BUCKET);
    app = await startTestApp({
      S3_BUCKET: BUCKET.bucket,
      S3_ENDPOINT: s3.endpoint,
      S3_REGION: BUCKET.region,
      S3_ACCESS_KEY_ID: BUCKET.accessKeyId,
      S3_SECRET_ACCESS_KEY: BUCKET.secretAccessKey,
      ADMIN_TOKEN,
    });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await s3?.close();
  });

  it('an upload goes to the bucket, is served from it, and erasure removes it', async () => {
    expect(app.media.kind).toBe('s3');
    const visitor = await newVisitor(app.url);
    const bytes = pngBytes(300 * 1024);
    const form = new FormData();
    form.append('file', new Blob([bytes], { type: 'image/png' }), 'a.png');
    const uploaded = await fetch(`${app.url}/api/session/${visitor.sessionId}/media`, {
      method: 'POST',
      headers: { authorization: `Bearer ${visitor.token}` },
      body: form,
    });
    expect(uploaded.status).toBe(201);
    const { message } = (await uploaded.json()) as { message: { media_url: string } };
    const key = `media/${visitor.sessionId}/${message.media_url.split('/').pop()}`;
    expect(s3.keys()).toContain(key);
    expect(mediaFiles(app.dataDir).filter((file) => !file.path.startsWith('.incoming'))).toEqual([]);

    const served = await fetch(`${app.url}${message.media_url}`, {
      headers: { authorization: `Bearer ${visitor.token}` },
    });
    expect(served.status).toBe(200);
    expect(served.headers.get('content-length')).toBe(String(bytes.length));
    expect(Buffer.from(await served.arrayBuffer()).equals(bytes)).toBe(true);

    const erased = await fetch(`${app.url}/api/admin/sessions/${visitor.sessionId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(erased.status).toBe(200);
    expect(s3.keys()).not.toContain(key);
    expect(s3.refused).toEqual([]);
  });

  it('MEDIA_STORE=s3 without a bucket or keys stops start-up naming what is missing', () => {
    expect(() => parseConfig({ MEDIA_STORE: 's3', S3_BUCKET: 'media' })).toThrow(/S3_ACCESS_KEY_ID/);
    expect(() => parseConfig({ MEDIA_STORE: 's3' })).toThrow(/S3_BUCKET/);
    expect(parseConfig({}).media.store).toBeUndefined();
  });
});
