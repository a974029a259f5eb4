import { readdirSync } from 'node:fs';
import { request } from 'node:http';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKind } from './support/database.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

/** The built browser apps as the server serves them (`npm test` builds them first). */
describe(`static files and page headers (${databaseKind})`, () => {
  let app: TestApp;
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${app.url}${path}`, { headers, redirect: 'manual' });

  beforeAll(async () => {
    app = await startTestApp({ WIDGET_ORIGINS: 'https://shop.example' });
  });
  afterAll(() => app?.close());

  it('serves gzip when asked, revalidates by ETag, and caches hashed assets for good', async () => {
    const loader = await get('/widget.js', { 'Accept-Encoding': 'gzip' });
    expect(loader.status).toBe(200);
    expect(loader.headers.get('content-encoding')).toBe('gzip');
    expect(loader.headers.get('cache-control')).toBe('no-cache');
    const etag = loader.headers.get('etag') as string;
    // (fetch would add `Cache-Control: no-cache` to a conditional request, as browsers' reloads do.)
    const revalidated = await new Promise<number | undefined>((done, fail) =>
      request(`${app.url}/widget.js`, { headers: { 'If-None-Match': etag } }, (response) => {
        response.resume();
        done(response.statusCode);
      })
        .on('error', fail)
        .end(),
    );
    expect(revalidated).toBe(304);

    const asset = readdirSync(resolve(import.meta.dirname, '../dist/public/widget/assets')).find((name) =>
      name.endsWith('.js'),
    );
    const cached = await get(`/widget/assets/${asset}`);
    expect(cached.headers.get('cache-control')).toContain('immutable');
  });

  it('lets only the widget origins (and itself) frame the chat; the API and the site stay unframeable', async () => {
    const chat = await get('/widget/');
    expect(chat.headers.get('content-security-policy')).toContain(
      "frame-ancestors 'self' https://shop.example",
    );
    expect(chat.headers.get('x-frame-options')).toBeNull();
    expect((await get('/')).headers.get('x-frame-options')).toBe('SAMEORIGIN');
    const api = await get('/api/config');
    expect(api.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(api.headers.get('x-frame-options')).toBe('DENY');
  });

  it('redirects a folder without its slash; unknown and escaping paths get the JSON 404', async () => {
    const redirect = await get('/widget?lang=ru');
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('location')).toBe('/widget/?lang=ru');
    for (const path of ['/nope.js', '/widget/../../package.json', '/%2e%2e/package.json', '/api/widget.js']) {
      const response = await get(path);
      expect(response.status, path).toBe(404);
      expect((await response.json()).error.code).toBe('not_found');
    }
    const post = await fetch(`${app.url}/widget.js`, { method: 'POST' });
    expect(post.status).toBe(404);
  });
});
