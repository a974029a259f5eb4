import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { AppMiddleware } from './context.ts';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

type StaticFile = { body: Buffer; gzipped?: Buffer; type: string; etag: string; immutable: boolean };

/**
 * The built browser apps (`npm run build` → `dist/public`): the demo site at `/`, the widget loader at
 * `/widget.js`, the chat at `/widget/`, the Mini App at `/miniapp/`. Files are read once into memory, so a
 * request path is only ever a key in a map (no file system path is built from it). Vite's hashed assets
 * are cached for a year; everything else is revalidated by ETag.
 */
export function staticFiles(webRoot: string): AppMiddleware & { readonly built: boolean } {
  const files = readWebRoot(webRoot);
  const middleware: AppMiddleware = async (ctx, next) => {
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || ctx.path.startsWith('/api/')) return next();
    const file = files.get(ctx.path.endsWith('/') ? `${ctx.path}index.html` : ctx.path);
    if (!file) {
      if (files.has(`${ctx.path}/index.html`)) {
        ctx.status = 301;
        return ctx.redirect(`${ctx.path}/${ctx.querystring ? `?${ctx.querystring}` : ''}`);
      }
      if (ctx.path === '/' && files.size === 0) {
        ctx.type = 'text/plain; charset=utf-8';
        ctx.body = 'Switchboard is running, but the browser apps are not built: run `npm run build`.\n';
        return;
      }
      return next();
    }
    ctx.status = 200;
    ctx.type = file.type;
    ctx.etag = file.etag;
    ctx.set('Cache-Control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    ctx.vary('Accept-Encoding');
    if (ctx.fresh) {
      ctx.status = 304;
      return;
    }
    if (file.gzipped && ctx.acceptsEncodings('gzip', 'identity') === 'gzip') {
      ctx.set('Content-Encoding', 'gzip');
      ctx.body = file.gzipped;
    } else {
      ctx.body = file.body;
    }
  };
  return Object.assign(middleware, { built: files.size > 0 });
}

function readWebRoot(webRoot: string) {
  const files = new Map<string, StaticFile>();
  if (!existsSync(webRoot)) return files;
  for (const path of walk(webRoot)) {
    const body = readFileSync(path);
    const extension = extname(path);
    const urlPath = `/${relative(webRoot, path).split(sep).join('/')}`;
    const compressible = /^(text\/|application\/json|image\/svg)/.test(CONTENT_TYPES[extension] ?? '');
    files.set(urlPath, {
      body,
      gzipped: compressible && body.length > 1024 ? gzipSync(body) : undefined,
      type: CONTENT_TYPES[extension] ?? 'application/octet-stream',
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
      immutable: urlPath.includes('/assets/'),
    });
  }
  return files;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}
