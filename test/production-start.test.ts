import { type ChildProcess, spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILD_STAMP, browserBuildState } from '../scripts/build-state.ts';

/**
 * `npm start` as an operator runs it: the real `npm start`, in a copy of the repository (sources, with
 * node_modules linked), so that its builds never touch the dist/ that other tests serve.
 */
const ROOT = resolve(import.meta.dirname, '..');
const SKIPPED = new Set(['node_modules', 'dist', 'data', 'test-artifacts', 'coverage', '.git', '.env']);

/** The repository's files without build output, installs and local data. */
function copyRepository(to: string) {
  cpSync(ROOT, to, {
    recursive: true,
    filter: (source) => {
      const path = relative(ROOT, source);
      return !SKIPPED.has(path.split('/')[0] as string) && path !== 'bench/results';
    },
  });
}

type NpmStart = {
  child: ChildProcess;
  listening: Promise<{ url: string; port: number; serverPid: number }>;
  exited: Promise<number | string | null>;
  output: () => string;
};

/** `npm start` in `cwd` with node_modules/.bin first on PATH, as npm scripts run, on PGlite in DATA_DIR. */
function npmStart(cwd: string, env: Record<string, string>, path = `${join(ROOT, 'node_modules/.bin')}`) {
  const { DATABASE_URL: _database, TELEGRAM_BOT_TOKEN: _token, ...inherited } = process.env;
  const child = spawn('npm', ['start'], {
    cwd,
    env: {
      ...inherited,
      PATH: `${path}:${process.env.PATH}`,
      PORT: '0',
      LOG_LEVEL: 'info',
      NODE_ENV: 'development',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | string | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal)),
  );
  const listening = new Promise<{ url: string; port: number; serverPid: number }>((resolve, reject) => {
    const onData = () => {
      const line = output.split('\n').find((text) => text.includes('listening') && text.includes('"port"'));
      if (!line) return;
      const { port, pid } = JSON.parse(line) as { port: number; pid: number };
      child.stdout?.off('data', onData);
      resolve({ url: `http://127.0.0.1:${port}`, port, serverPid: pid });
    };
    child.stdout?.on('data', onData);
    exited.then((code) => reject(new Error(`npm start exited with ${code}: ${output}`)));
  });
  listening.catch(() => {});
  return { child, listening, exited, output: () => output } satisfies NpmStart;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const portIsFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, () => probe.close(() => resolve(true)));
  });

/** Ends what a failed test left running: the npm process and the server it started. */
const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const cleanup of cleanups) cleanup();
});
const track = (run: NpmStart) => {
  cleanups.push(() => {
    if (run.child.exitCode === null) run.child.kill('SIGKILL');
    run.listening.then(
      ({ serverPid }) => alive(serverPid) && process.kill(serverPid, 'SIGKILL'),
      () => {},
    );
  });
  return run;
};

describe('the browser build state', () => {
  const root = mkdtempSync(join(tmpdir(), 'switchboard-build-state-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const at = (path: string, seconds: number) => utimesSync(join(root, path), seconds, seconds);

  it('is missing without a stamp, stale when a source or a source directory is newer, else fresh', () => {
    mkdirSync(join(root, 'widget/app'), { recursive: true });
    mkdirSync(join(root, 'dist'), { recursive: true });
    writeFileSync(join(root, 'widget/app/chat.tsx'), '');
    writeFileSync(join(root, 'package-lock.json'), '{}');
    expect(browserBuildState(root)).toEqual({ state: 'missing' });

    writeFileSync(join(root, BUILD_STAMP), '{}');
    for (const path of ['widget/app/chat.tsx', 'widget/app', 'widget', 'package-lock.json']) at(path, 1000);
    at(BUILD_STAMP, 2000);
    expect(browserBuildState(root)).toEqual({ state: 'fresh' });

    at('widget/app/chat.tsx', 3000);
    expect(browserBuildState(root)).toEqual({ state: 'stale', newest: 'widget/app/chat.tsx' });

    // A deleted source shows only in its directory's mtime.
    at('widget/app/chat.tsx', 1000);
    at('widget/app', 3000);
    expect(browserBuildState(root)).toEqual({ state: 'stale', newest: 'widget/app' });

    at('widget/app', 1000);
    at('package-lock.json', 3000);
    expect(browserBuildState(root)).toEqual({ state: 'stale', newest: 'package-lock.json' });
  });
});

describe('npm start', () => {
  const root = mkdtempSync(join(tmpdir(), 'switchboard-npm-start-'));
  const dataDir = join(root, 'data');
  beforeAll(() => {
    copyRepository(root);
    symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const stampTime = () => statSync(join(root, BUILD_STAMP)).mtimeMs;

  it('builds the missing browser apps (production bundles even with NODE_ENV=development), then serves them', async () => {
    expect(existsSync(join(root, 'dist'))).toBe(false);
    const run = track(npmStart(root, { DATA_DIR: dataDir }));
    const { url } = await run.listening;
    expect(run.output()).toContain('Building the browser apps (no build in dist/ yet)');
    expect(run.output()).not.toContain('OVER BUDGET');
    expect((await fetch(`${url}/widget.js`)).status).toBe(200);
    expect((await fetch(`${url}/miniapp/`)).status).toBe(200);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  it('starts without building when dist/ is fresh', async () => {
    const builtAt = stampTime();
    const run = track(npmStart(root, { DATA_DIR: dataDir }));
    await run.listening;
    expect(run.output()).not.toContain('Building');
    expect(stampTime()).toBe(builtAt);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  it('rebuilds when a source is newer than dist/', async () => {
    const builtAt = stampTime();
    const later = new Date(builtAt + 2000);
    utimesSync(join(root, 'miniapp/main.tsx'), later, later);
    const run = track(npmStart(root, { DATA_DIR: dataDir }));
    await run.listening;
    expect(run.output()).toContain(
      'Building the browser apps (miniapp/main.tsx is newer than the build in dist/)',
    );
    expect(stampTime()).toBeGreaterThan(builtAt);
    expect(browserBuildState(root)).toEqual({ state: 'fresh' });
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  it('stops gracefully on SIGTERM to npm: event streams end with a retry hint, no process is left, exit 0', async () => {
    const run = track(npmStart(root, { DATA_DIR: dataDir }));
    const { url, port, serverPid } = await run.listening;
    expect(serverPid).not.toBe(run.child.pid);

    const created = await fetch(`${url}/api/session`, { method: 'POST' });
    const { session_id: sessionId, access_token: token } = (await created.json()) as Record<string, string>;
    const events = await fetch(`${url}/api/session/${sessionId}/events`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(events.status).toBe(200);
    let received = '';
    const read = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of events.body as AsyncIterable<Uint8Array>) {
        received += decoder.decode(chunk, { stream: true });
      }
    })();
    await expect.poll(() => received).toContain('retry: 1500\n\n'); // the stream is open
    const beforeStop = received.length;

    run.child.kill('SIGTERM'); // the npm process, as systemd or a container runtime signals it
    await read; // the server ended the stream
    expect(received.slice(beforeStop)).toMatch(/^: the server is stopping\nretry: \d+\n\n$/);

    expect(await run.exited).toBe(0);
    expect(run.output()).toContain('"msg":"stopped"');
    expect(run.output()).not.toContain('requests still running'); // drained, not cut off
    await expect.poll(() => alive(serverPid)).toBe(false);
    expect(await portIsFree(port)).toBe(true);
  });
});

/**
 * A production install: the browser apps built where devDependencies are, then `npm ci --omit=dev` (no
 * Vite, no pinned Node: a Node 24 on PATH stands for the machine's own) and `npm start` with
 * NODE_ENV=production. It installs from the registry, so it runs only when asked:
 * TEST_PRODUCTION_INSTALL=1 npx vitest run test/production-start.test.ts
 */
describe.runIf(process.env.TEST_PRODUCTION_INSTALL === '1')('a production install', () => {
  const root = mkdtempSync(join(tmpdir(), 'switchboard-production-'));
  const systemNode = join(root, '.node-bin');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('npm ci --omit=dev after a build starts from dist/ without devDependencies and stops on SIGTERM', async () => {
    copyRepository(root);
    symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
    const build = spawn(process.execPath, ['scripts/build.ts'], { cwd: root, stdio: 'ignore' });
    expect(await new Promise((resolve) => build.on('exit', resolve))).toBe(0);
    rmSync(join(root, 'node_modules'));

    mkdirSync(systemNode);
    symlinkSync(process.execPath, join(systemNode, 'node'));
    const install = spawn('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund'], {
      cwd: root,
      env: { ...process.env, PATH: `${systemNode}:${process.env.PATH}` },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let installErrors = '';
    install.stderr?.on('data', (chunk) => (installErrors += chunk));
    expect(await new Promise((resolve) => install.on('exit', resolve)), installErrors).toBe(0);
    expect(existsSync(join(root, 'node_modules/vite'))).toBe(false);
    expect(existsSync(join(root, 'node_modules/.bin/node'))).toBe(false);
    // The install's postinstall made the migrated PGlite template new data directories are copied from.
    const templates = join(root, 'node_modules/.cache/switchboard/pglite-template');
    expect(readdirSync(templates).filter((name) => !name.startsWith('.'))).toHaveLength(1);

    const run = track(
      npmStart(
        root,
        {
          DATA_DIR: join(root, 'data'),
          NODE_ENV: 'production',
          JWT_SECRET: 'a-production-secret-of-at-least-32-characters',
          WIDGET_ORIGINS: 'https://shop.example',
        },
        systemNode,
      ),
    );
    const { url } = await run.listening;
    expect(run.output()).not.toContain('Building');
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/widget.js`)).status).toBe(200);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  }, 600_000);
});
