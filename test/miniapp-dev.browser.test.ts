import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './support/browser.ts';

/**
 * The Mini App's dev server (`npx vite --config miniapp/vite.config.ts`): its `/api` proxy goes to the
 * PORT the server uses, and when the app cannot start outside Telegram, the page says why.
 */
const ROOT = resolve(import.meta.dirname, '..');
const cacheDir = mkdtempSync(join(tmpdir(), 'switchboard-vite-cache-'));
const servers: { close(): Promise<void> | void }[] = [];
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  for (const server of servers) await server.close();
  rmSync(cacheDir, { recursive: true, force: true });
});

/** The dev server as `vite` starts it, with this environment (the config reads PORT and the token). */
async function devServer(env: Record<string, string>) {
  Object.assign(process.env, env);
  const server: ViteDevServer = await createServer({
    configFile: join(ROOT, 'miniapp/vite.config.ts'),
    cacheDir,
    logLevel: 'silent',
    server: { port: 0, host: '127.0.0.1', hmr: false },
  });
  servers.push(server);
  await server.listen();
  const { port } = (server.httpServer as Server).address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

/** A stand-in for Switchboard's API on a port of its own. */
async function fakeApi() {
  const server: Server = createHttpServer((request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ categories: ['General'], path: request.url }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
  return (server.address() as AddressInfo).port;
}

/** A port where nothing listens. */
async function closedPort() {
  const port = await fakeApi();
  const server = servers.pop() as { close(): Promise<void> };
  await server.close();
  return port;
}

async function screenText(url: string) {
  const page = await browser.newPage();
  try {
    await page.goto(url);
    await page.getByRole('alert').waitFor({ timeout: 20_000 });
    return (await page.getByRole('alert').textContent()) ?? '';
  } finally {
    await page.close();
  }
}

describe('the Mini App dev server', () => {
  it('proxies /api to the PORT the server runs on', async () => {
    const apiPort = await fakeApi();
    const url = await devServer({ PORT: String(apiPort), TELEGRAM_BOT_TOKEN: '' });
    const answer = (await (await fetch(`${url}/api/config`)).json()) as { path: string };
    expect(answer.path).toBe('/api/config');
  });

  it('shows on the page that the bot token is missing', async () => {
    const url = await devServer({ PORT: String(await closedPort()), TELEGRAM_BOT_TOKEN: '' });
    const text = await screenText(`${url}/miniapp/`);
    expect(text).toContain('The Mini App cannot start');
    expect(text).toContain('TELEGRAM_BOT_TOKEN is not set');
  });

  it('shows on the page that no server answers behind /api, and where it looked', async () => {
    const port = await closedPort();
    const url = await devServer({ PORT: String(port), TELEGRAM_BOT_TOKEN: '123456:dev-token' });
    const text = await screenText(`${url}/miniapp/?user_id=42`);
    expect(text).toContain(`No Switchboard server answers at http://localhost:${port}`);
    expect(text).toContain('npm start');
  });
});
