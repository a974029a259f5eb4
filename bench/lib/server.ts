import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { sleep } from './stats.ts';

export const ROOT = resolve(import.meta.dirname, '../..');
export const JWT_SECRET = 'bench-secret-bench-secret-bench-secret-0123';

export type DatabaseKind = 'pglite' | 'postgresql';

/** A fresh database for one scenario: a new DATA_DIR (PGlite), or a new database on the server. */
export type BenchDatabase = {
  kind: DatabaseKind;
  dataDir: string;
  /** Environment for a server on it. */
  env: Record<string, string>;
  /** For the baseline server. */
  url?: string;
  drop(): Promise<void>;
};

export async function createDatabase(kind: DatabaseKind, serverUrl: string): Promise<BenchDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-bench-'));
  if (kind === 'pglite') {
    return {
      kind,
      dataDir,
      env: { DATA_DIR: dataDir },
      drop: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const name = `switchboard_bench_${randomBytes(5).toString('hex')}`;
  await adminQuery(serverUrl, `create database "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    kind,
    dataDir,
    url: url.toString(),
    env: { DATA_DIR: dataDir, DATABASE_URL: url.toString() },
    drop: async () => {
      await adminQuery(serverUrl, `drop database if exists "${name}" with (force)`);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function adminQuery(serverUrl: string, sql: string) {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function postgresReachable(serverUrl: string): Promise<string | undefined> {
  try {
    await adminQuery(serverUrl, 'select 1');
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

export type ServerProcess = {
  url: string;
  pid: number;
  child: ChildProcess;
  /** Milliseconds from spawn to the first 200 of /healthz. */
  startMs: number;
  /** Resident memory of the process, in bytes (from /proc). */
  rss(): number;
  stop(): Promise<void>;
  stderr(): string;
};

/**
 * Spawns `node <script>` (the product's main.ts by default) on a free loopback port and waits for the
 * first 200 of `/healthz`. Logs go to /dev/null (the product logs every request at info, as shipped).
 */
export async function startServer(
  env: Record<string, string>,
  {
    script = 'main.ts',
    timeoutMs = 120_000,
    nodeArgs = [],
  }: { script?: string; timeoutMs?: number; nodeArgs?: string[] } = {},
): Promise<ServerProcess> {
  const port = await freePort();
  const { DATABASE_URL: _inherited, ...inherited } = process.env;
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, script], {
    cwd: ROOT,
    env: {
      ...inherited,
      NODE_ENV: 'production',
      JWT_SECRET,
      WIDGET_ORIGINS: '*',
      PORT: String(port),
      LOG_LEVEL: 'info',
      // e.g. BENCH_NODE_OPTIONS='--cpu-prof --cpu-prof-dir=/tmp/prof' to profile the server under test.
      ...(process.env.BENCH_NODE_OPTIONS && script === 'main.ts'
        ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS }
        : {}),
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-20_000);
  });
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  const url = `http://127.0.0.1:${port}`;
  let startMs = Number.NaN;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}: ${stderr}`);
    if (performance.now() - started > timeoutMs) {
      child.kill('SIGKILL');
      throw new Error(`${script} did not answer /healthz within ${timeoutMs} ms: ${stderr}`);
    }
    const ok = await fetch(`${url}/healthz`)
      .then((response) => response.status === 200)
      .catch(() => false);
    if (ok) {
      startMs = performance.now() - started;
      break;
    }
    await sleep(5);
  }
  return {
    url,
    pid: child.pid as number,
    child,
    startMs,
    rss: () => rssOf(child.pid as number),
    stderr: () => stderr,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kilobytes = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  return kilobytes * 1024;
}
