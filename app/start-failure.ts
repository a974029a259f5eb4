import { isAbsolute, relative, resolve } from 'node:path';
import { DataDirectoryInUse } from '../db/data-dir-lock.ts';
import { ConfigError } from './config.ts';
import { maskBotTokens } from './logger.ts';

/** The settings a start-up failure can be about (absent when the configuration itself was wrong). */
export type StartSettings = { port?: number; databaseUrl?: string; dataDir?: string; logLevel?: string };

/**
 * The one line an operator reads when Switchboard cannot start: what is wrong, which setting it is
 * about, and what to do. The common failures (database, port, data directory, configuration) are
 * explained; anything else is a bug, named by its message, with a pointer to the stack.
 */
export function describeStartFailure(error: unknown, settings: StartSettings = {}): string {
  return maskSecrets(
    adviceFor(error, settings) ??
      `Switchboard could not start: ${messageOf(error)} (LOG_LEVEL=debug shows the stack)`,
  );
}

/**
 * Writes the line to stderr (with LOG_LEVEL=debug or trace, the stack and its causes after it) and ends
 * the process with exit code 1. Stacks stay out of the way unless asked for: they explain the code, not
 * the setting.
 */
export function exitWithStartFailure(error: unknown, settings: StartSettings = {}): never {
  process.stderr.write(`${describeStartFailure(error, settings)}\n`);
  if (settings.logLevel === 'debug' || settings.logLevel === 'trace') {
    process.stderr.write(`${maskSecrets(stackOf(error))}\n`);
  }
  process.exit(1);
}

function adviceFor(error: unknown, settings: StartSettings): string | undefined {
  if (error instanceof ConfigError) return error.message;
  if (error instanceof DataDirectoryInUse) {
    return (
      `The data directory ${error.directory} is in use by another Switchboard (pid ${error.pid}) (DATA_DIR): ` +
      'stop it, or set DATA_DIR to another directory.'
    );
  }
  const { code, syscall, path } = systemErrorOf(error);
  if (syscall === 'listen' && settings.port !== undefined) {
    if (code === 'EADDRINUSE') {
      return `Port ${settings.port} is in use (PORT): stop the other process, or set PORT to a free port.`;
    }
    if (code === 'EACCES') {
      return `Port ${settings.port} needs privileges this process does not have (PORT): use a port above 1023, e.g. PORT=3000, behind a reverse proxy.`;
    }
  }
  if (settings.databaseUrl) {
    const advice = databaseAdvice(error, settings.databaseUrl);
    if (advice) return advice;
  }
  if (path && settings.dataDir && isInside(path, settings.dataDir) && code && FILE_ERRORS[code]) {
    return `Cannot write to ${path} (DATA_DIR): ${FILE_ERRORS[code]}; fix that, or set DATA_DIR to a writable directory.`;
  }
  return undefined;
}

const FILE_ERRORS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
  ENOTDIR: 'a part of the path is a file, not a directory',
};

/** Socket errors meaning the server could not be reached at all. */
const UNREACHABLE: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'the connection was reset',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'no route to the host',
  ENETUNREACH: 'the network is unreachable',
};

function databaseAdvice(error: unknown, databaseUrl: string): string | undefined {
  const target = describeTarget(databaseUrl);
  const at = `${target.host}:${target.port}`;
  const { code } = systemErrorOf(error);
  const message = messageOf(error);
  if (code && UNREACHABLE[code]) {
    return `Cannot reach the PostgreSQL server at ${at} (DATABASE_URL): ${UNREACHABLE[code]}. Is it running, and are the host and port in DATABASE_URL right?`;
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return `Cannot find the PostgreSQL host "${target.host}" (DATABASE_URL): check the host name in DATABASE_URL.`;
  }
  if (
    /timeout exceeded when trying to connect|Connection terminated due to connection timeout/.test(message)
  ) {
    return `Cannot reach the PostgreSQL server at ${at} (DATABASE_URL): no answer in time. Is it running, and does the network (a firewall) let this machine through?`;
  }
  if (code === '28P01') {
    return `PostgreSQL at ${at} refused the password of user "${target.user}" (DATABASE_URL): check the user name and password in DATABASE_URL.`;
  }
  if (code === '28000' && /role .* does not exist/.test(message)) {
    return `PostgreSQL at ${at} has no user "${target.user}" (DATABASE_URL): fix the user in DATABASE_URL, or create it: createuser -h ${target.host} -p ${target.port} --pwprompt ${target.user}`;
  }
  if (code === '28000') {
    return `PostgreSQL at ${at} refused user "${target.user}" (DATABASE_URL): ${message}. Allow it in the server's pg_hba.conf, or fix DATABASE_URL.`;
  }
  if (code === '3D000') {
    return `The database "${target.database}" does not exist on the PostgreSQL server at ${at} (DATABASE_URL): create it (createdb -h ${target.host} -p ${target.port} -U ${target.user} ${target.database}), or fix the name in DATABASE_URL.`;
  }
  if (/\bSSL\b/i.test(message)) {
    return `PostgreSQL at ${at} (DATABASE_URL): ${message}. Set or remove sslmode in DATABASE_URL to match the server.`;
  }
  if (code && /^[0-9A-Z]{5}$/.test(code)) {
    return `PostgreSQL at ${at}, database "${target.database}" as user "${target.user}" (DATABASE_URL), answered: ${message} (SQLSTATE ${code}).`;
  }
  return undefined;
}

/** Host, port, user and database of a connection string as `pg` reads it, never the password. */
function describeTarget(databaseUrl: string) {
  let url: URL | undefined;
  try {
    url = new URL(databaseUrl);
  } catch {
    url = undefined;
  }
  const user =
    decodeURIComponent(url?.username ?? '') || process.env.PGUSER || process.env.USER || 'postgres';
  return {
    host: url?.searchParams.get('host') ?? (url?.hostname || 'localhost'),
    port: Number(url?.port || 5432),
    user,
    database: decodeURIComponent(url?.pathname.slice(1) ?? '') || user,
  };
}

/**
 * `code`, `syscall` and `path` of the error or of what caused it: MikroORM wraps driver errors (copying
 * the code), and a connection to a host with several addresses fails with an AggregateError.
 */
function systemErrorOf(error: unknown): { code?: string; syscall?: string; path?: string } {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth += 1) {
    const { code, syscall, path } = current as NodeJS.ErrnoException;
    if (typeof code === 'string') return { code, syscall, path };
    const inner = current instanceof AggregateError ? current.errors[0] : undefined;
    current = inner ?? current.cause;
  }
  return {};
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

function stackOf(error: unknown): string {
  const parts: string[] = [];
  for (let current = error, depth = 0; current !== undefined && depth < 5; depth += 1) {
    parts.push(current instanceof Error ? (current.stack ?? current.message) : String(current));
    current = current instanceof Error ? current.cause : undefined;
    if (current !== undefined) parts.push('caused by:');
  }
  return parts.join('\n');
}

function isInside(path: string, directory: string): boolean {
  const fromDirectory = relative(resolve(directory), resolve(path));
  return !fromDirectory.startsWith('..') && !isAbsolute(fromDirectory);
}

/** Passwords in connection strings and bot tokens never reach the terminal or a log collector. */
export function maskSecrets(text: string): string {
  // Up to the last "@" of the address (a password may hold "@" itself), and `password=` parameters.
  return maskBotTokens(text)
    .replace(/(postgres(?:ql)?:\/\/[^:/@\s]*):[^\s]*@(?=[^@\s]*$|[^@\s]*\s)/gi, '$1:***@')
    .replace(/([?&]password=)[^&\s]*/gi, '$1***');
}
