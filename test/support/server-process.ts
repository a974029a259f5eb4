import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { SERVER_NODE_FLAGS } from '../../app/node-flags.ts';

const ROOT = resolve(import.meta.dirname, '../..');

export type ServerProcess = {
  child: ChildProcess;
  /** The server's own process (`node main.ts`, no shell in between): what `kill` signals. */
  pid: number;
  /** The server's base URL once it logged that it listens (rejects if it exits first). */
  listening: Promise<string>;
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string | null>;
  output: () => { stdout: string; stderr: string };
  /** SIGTERM (graceful) and wait for the exit. */
  stop: () => Promise<number | string | null>;
  /** SIGKILL: no shutdown at all, as a crash or the OOM killer. */
  kill: () => Promise<number | string | null>;
};

/** A free loopback port (for a server whose URL must be known before it logs it, or stay the same). */
export const freePort = () =>
  new Promise<number>((resolvePort) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolvePort(port));
    });
  });

const QUIET_LEVELS = new Set(['warn', 'error', 'fatal', 'silent']);

/**
 * `node main.ts` as `npm start` runs it (with its Node flags), as a separate process with its own environment. The inherited
 * DATABASE_URL is dropped (embedded PGlite in DATA_DIR) unless `env` sets one; PORT defaults to 0 (any
 * free port; the URL comes from the "listening" log line, so LOG_LEVEL must stay at info or below). With
 * a quieter LOG_LEVEL (servers under load log every request at info), give a PORT: the server counts as
 * listening once its /healthz answers 200.
 */
export function spawnServer(env: Record<string, string>, { script = 'main.ts', args = [] as string[] } = {}) {
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  const flags = script === 'main.ts' ? SERVER_NODE_FLAGS : [];
  const child = spawn(process.execPath, [...flags, ...args, script], {
    cwd: ROOT,
    env: { ...inherited, PORT: '0', LOG_LEVEL: 'info', NODE_ENV: 'development', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => {
    // Keep the start of the log (the listening line) and the latest part; servers under load log a lot.
    stdout =
      stdout.length > 200_000 ? stdout.slice(0, 20_000) + stdout.slice(-100_000) + chunk : stdout + chunk;
  });
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | string | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal)),
  );
  const quietPort =
    QUIET_LEVELS.has(env.LOG_LEVEL ?? '') && env.PORT && env.PORT !== '0' ? env.PORT : undefined;
  const listening = new Promise<string>((resolve, reject) => {
    exited.then((code) => reject(new Error(`server exited with ${code}: ${stderr}${stdout.slice(-4000)}`)));
    if (quietPort) {
      const url = `http://127.0.0.1:${quietPort}`;
      const probe = async () => {
        while (child.exitCode === null && child.signalCode === null) {
          const ok = await fetch(`${url}/healthz`).then(
            (response) => response.status === 200,
            () => false,
          );
          if (ok) return resolve(url);
          await new Promise((next) => setTimeout(next, 50));
        }
      };
      void probe();
      return;
    }
    const onData = () => {
      const match = /"port":(\d+)[^\n]*listening|listening[^\n]*"port":(\d+)/.exec(stdout);
      if (match) {
        child.stdout?.off('data', onData);
        resolve(`http://127.0.0.1:${match[1] ?? match[2]}`);
      }
    };
    child.stdout?.on('data', onData);
  });
  listening.catch(() => {}); // awaited by the callers that expect a start

  const signal = (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    return exited;
  };
  const server: ServerProcess = {
    child,
    pid: child.pid as number,
    listening,
    exited,
    output: () => ({ stdout, stderr }),
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
  };
  return server;
}
