import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** The lock's file name inside the PGlite data directory (PostgreSQL ignores files it does not know). */
export const LOCK_FILE = 'switchboard.lock';

/**
 * The PGlite data directory is held by another running process. PGlite is one in-process backend with
 * no lock of its own: a second process opening the same directory crashes (WASM `Aborted()`) or, worse,
 * starts and writes over the first one's files.
 */
export class DataDirectoryInUse extends Error {
  override name = 'DataDirectoryInUse';
  readonly directory: string;
  readonly pid: number;
  constructor(directory: string, pid: number) {
    super(`the data directory ${directory} is in use by another process (pid ${pid})`);
    this.directory = directory;
    this.pid = pid;
  }
}

/**
 * Takes the data directory for this process: a lock file holding our pid, created exclusively. A lock
 * whose process is gone (a `kill -9`, a crash, a reboot) is stale and taken over, so a restart is never
 * blocked by its own predecessor. Two processes taking over the same stale lock at the same instant
 * could both win; starting two servers on one directory within microseconds is not a case worth a
 * kernel lock (which Node does not offer).
 */
export function lockDataDirectory(directory: string): { release: () => void } {
  const path = join(directory, LOCK_FILE);
  const content = `${process.pid}\n`;
  for (let attempt = 0; ; attempt += 1) {
    try {
      const fd = openSync(path, 'wx');
      try {
        writeSync(fd, content);
      } finally {
        closeSync(fd);
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
      const holder = Number.parseInt(readText(path) ?? '', 10);
      // This very process holds it (a second ORM on the same directory): as in use as any other holder.
      if (Number.isInteger(holder) && (holder === process.pid || isRunningNode(holder))) {
        throw new DataDirectoryInUse(directory, holder);
      }
      unlinkQuietly(path);
    }
  }

  // An exit without closing the ORM (a failed start, process.exit) leaves no lock behind either.
  const release = () => {
    process.off('exit', release);
    if (readText(path) === content) unlinkQuietly(path);
  };
  process.on('exit', release);
  return { release };
}

/**
 * Whether `pid` is a running Node process. After a reboot or a long time, a stale lock's pid may
 * belong to some unrelated program: on Linux its command line tells (elsewhere, any live pid counts).
 */
function isRunningNode(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it runs, as another user.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const commandLine = readText(`/proc/${pid}/cmdline`);
  return commandLine === undefined || commandLine.includes('node');
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function unlinkQuietly(path: string) {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
