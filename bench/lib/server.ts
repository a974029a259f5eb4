import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { SERVER_NODE_FLAGS } from '../../app/node-flags.ts';
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
  /** Live memory after a full GC (only with `memoryProbe`). */
  memory(): Promise<NodeJS.MemoryUsage>;
  /** CPU time (user + system, every thread) the server process used up to its first 200 of /healthz. */
  startCpuMs: number;
  stop(): Promise<void>;
  stderr(): string;
};

/**
 * Spawns `node <script>` (the product's main.ts by default), or with `npmStart` the real `npm start`, on a
 * free loopback port and waits for the first 200 of `/healthz`. Logs go to /dev/null (the product logs
 * every request at info, as shipped).
 */
export async function startServer(
  env: Record<string, string>,
  {
    script = 'main.ts',
    npmStart = false,
    timeoutMs = 120_000,
    memoryProbe = false,
  }: {
    script?: string;
    /** Start the way a user does, `npm start` (the server is npm's one child process). */
    npmStart?: boolean;
    timeoutMs?: number;
    /** Preload bench/lib/memory-probe.ts (with --expose-gc): `memory()` answers live memory after a GC. */
    memoryProbe?: boolean;
  } = {},
): Promise<ServerProcess> {
  const port = await freePort();
  const { DATABASE_URL: _inherited, ...inherited } = process.env;
  const started = performance.now();
  const probe = memoryProbe ? ['--expose-gc', '--import', './bench/lib/memory-probe.ts'] : [];
  // Every server, the product and the baselines, with the flags `npm start` gives the product.
  const [command, args] = npmStart
    ? ['npm', ['start', '--silent']]
    : [process.execPath, [...SERVER_NODE_FLAGS, ...probe, script]];
  const child = spawn(command, args, {
    cwd: ROOT,
    env: {
      ...inherited,
      NODE_ENV: 'production',
      JWT_SECRET,
      WIDGET_ORIGINS: '*',
      PORT: String(port),
      LOG_LEVEL: 'info',
      // e.g. BENCH_NODE_OPTIONS='--cpu-prof --cpu-prof-dir=/tmp/prof' to profile the server under test.
      ...(process.env.BENCH_NODE_OPTIONS && (npmStart || script === 'main.ts')
        ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS }
        : {}),
      ...env,
      // Both when the scenario sets options too (the statement counter): e.g. profiling ingest.
      ...(process.env.BENCH_NODE_OPTIONS && env.NODE_OPTIONS && (npmStart || script === 'main.ts')
        ? { NODE_OPTIONS: `${env.NODE_OPTIONS} ${process.env.BENCH_NODE_OPTIONS}` }
        : {}),
    },
    stdio: ['ignore', 'ignore', 'pipe', ...(memoryProbe ? (['ipc'] as const) : [])],
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
  // `npm start` execs node in place of its shell: the server is npm's one child process.
  const serverPid = npmStart ? childrenOf(child.pid as number)[0] : child.pid;
  const startCpuMs = serverPid === undefined ? Number.NaN : cpuMsOf(serverPid);
  return {
    url,
    pid: serverPid ?? (child.pid as number),
    child,
    startMs,
    startCpuMs,
    rss: () => rssOf(serverPid ?? (child.pid as number)),
    memory: () => probeMemory(child),
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

/** Asks a server started with `memoryProbe` for its memory after a full GC. */
function probeMemory(child: ChildProcess): Promise<NodeJS.MemoryUsage> {
  return new Promise((resolveMemory, reject) => {
    if (!child.send) return reject(new Error('started without memoryProbe'));
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      reject(new Error('no answer from the memory probe within 30 s'));
    }, 30_000);
    const onMessage = (message: unknown) => {
      const memory = (message as { memory?: NodeJS.MemoryUsage }).memory;
      if (!memory) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolveMemory(memory);
    };
    child.on('message', onMessage);
    child.send('memory');
  });
}

/** The child processes of `pid` (from /proc). */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** utime + stime of the process (all its threads), from /proc/<pid>/stat, in milliseconds. */
export function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The fields after the command name (which may hold spaces), from field 3 (state) on.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}
/** USER_HZ: 100 on every Linux the bench runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kilobytes = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  return kilobytes * 1024;
}
