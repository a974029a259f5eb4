import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCK_FILE } from '../db/data-dir-lock.ts';
import { databaseKind } from './support/database.ts';
import { type ServerProcess, spawnServer } from './support/server-process.ts';

const dataDirs: string[] = [];
const servers: ServerProcess[] = [];
const sockets: Server[] = [];
afterAll(async () => {
  for (const server of servers) await server.kill();
  for (const socket of sockets) socket.close();
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

const newDataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-start-failure-'));
  dataDirs.push(dir);
  return dir;
};

/** Starts `node main.ts` expecting it to fail: its exit code and every non-blank line it printed. */
async function failedStart(env: Record<string, string>) {
  const server = spawnServer({ DATA_DIR: newDataDir(), ...env });
  servers.push(server);
  const code = await server.exited;
  const { stdout, stderr } = server.output();
  const lines = `${stdout}\n${stderr}`.split('\n').filter((line) => line.trim() !== '');
  return { code, lines };
}

/** Exit code 1 and exactly one line, no stack: the line is returned for its wording. */
async function oneLineFailure(env: Record<string, string>) {
  const { code, lines } = await failedStart(env);
  expect(lines, lines.join('\n')).toHaveLength(1);
  expect(code).toBe(1);
  expect(lines[0]).not.toMatch(/^\s+at |"level"/);
  return lines[0] as string;
}

async function listen(server: Server): Promise<number> {
  sockets.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

/** A port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A stand-in PostgreSQL server that refuses every password, as a server with password authentication
 * does (the local test server trusts every connection, so a wrong password cannot be shown on it).
 */
async function passwordRefusingServer(): Promise<number> {
  return listen(
    createServer((socket) => {
      socket.once('data', () => {
        const fields = ['SFATAL', 'VFATAL', 'C28P01', 'Mpassword authentication failed for user "support"'];
        const body = Buffer.from(`${fields.join('\0')}\0\0`);
        const header = Buffer.alloc(5);
        header.write('E');
        header.writeInt32BE(body.length + 4, 1);
        socket.end(Buffer.concat([header, body]));
      });
    }),
  );
}

describe('start-up failures: one line naming the setting, exit code 1', () => {
  it('PORT out of range', async () => {
    expect(await oneLineFailure({ PORT: '70000' })).toBe(
      'Invalid configuration: PORT is out of range (0–65535)',
    );
  });

  it('PORT in use', async () => {
    const port = await listen(createServer());
    expect(await oneLineFailure({ PORT: String(port) })).toBe(
      `Port ${port} is in use (PORT): stop the other process, or set PORT to a free port.`,
    );
  });

  it('a PostgreSQL server that is not running, without showing the password', async () => {
    const port = await closedPort();
    const line = await oneLineFailure({
      DATABASE_URL: `postgres://support:hunter22@127.0.0.1:${port}/support`,
    });
    expect(line).toMatch(
      new RegExp(
        `^Cannot reach the PostgreSQL server at 127\\.0\\.0\\.1:${port} \\(DATABASE_URL\\): connection refused\\.`,
      ),
    );
    expect(line).not.toContain('hunter22');
  });

  it('an unknown PostgreSQL host', async () => {
    expect(
      await oneLineFailure({ DATABASE_URL: 'postgres://support@no-such-host.invalid:5432/support' }),
    ).toBe(
      'Cannot find the PostgreSQL host "no-such-host.invalid" (DATABASE_URL): check the host name in DATABASE_URL.',
    );
  });

  it('a wrong password (28P01)', async () => {
    const port = await passwordRefusingServer();
    const line = await oneLineFailure({
      DATABASE_URL: `postgres://support:wrong-password@127.0.0.1:${port}/support`,
    });
    expect(line).toBe(
      `PostgreSQL at 127.0.0.1:${port} refused the password of user "support" (DATABASE_URL): check the user name and password in DATABASE_URL.`,
    );
  });

  it('with LOG_LEVEL=debug, the same line and then the stack', async () => {
    const port = await closedPort();
    const { code, lines } = await failedStart({
      DATABASE_URL: `postgres://support:hunter22@127.0.0.1:${port}/support`,
      LOG_LEVEL: 'debug',
    });
    expect(code).toBe(1);
    expect(lines[0]).toMatch(/^Cannot reach the PostgreSQL server at .* \(DATABASE_URL\)/);
    expect(lines.some((line) => /^\s+at /.test(line))).toBe(true);
    expect(lines.join('\n')).not.toContain('hunter22');
  });
});

describe.skipIf(databaseKind !== 'postgresql')('start-up failures on a real PostgreSQL server', () => {
  const serverUrl = new URL(process.env.DATABASE_URL ?? 'postgres://localhost');
  const at = `${serverUrl.hostname}:${serverUrl.port || 5432}`;

  // The local server trusts every connection, so a user it does not know is refused as 28000, not 28P01.
  it('a user the server does not know (28000)', async () => {
    const url = new URL(serverUrl);
    url.username = `nosuchuser_${randomBytes(4).toString('hex')}`;
    expect(await oneLineFailure({ DATABASE_URL: url.toString() })).toBe(
      `PostgreSQL at ${at} has no user "${url.username}" (DATABASE_URL): fix the user in DATABASE_URL, or create it: createuser -h ${serverUrl.hostname} -p ${serverUrl.port || 5432} --pwprompt ${url.username}`,
    );
  });

  it('a database that does not exist (3D000) is reported, not created', async () => {
    const url = new URL(serverUrl);
    const name = `switchboard_missing_${randomBytes(4).toString('hex')}`;
    url.pathname = `/${name}`;
    const line = await oneLineFailure({ DATABASE_URL: url.toString() });
    expect(line).toMatch(
      new RegExp(
        `^The database "${name}" does not exist on the PostgreSQL server at ${at} \\(DATABASE_URL\\): create it \\(createdb -h [^ ]+ -p \\d+ -U [^ ]+ ${name}\\)`,
      ),
    );
    const admin = new pg.Client({ connectionString: serverUrl.toString() });
    await admin.connect();
    const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [name]);
    await admin.end();
    expect(rowCount).toBe(0);
  });
});

describe('one Switchboard per PGlite data directory', () => {
  it('refuses a second instance on the same DATA_DIR while the first keeps serving', async () => {
    const dataDir = newDataDir();
    const first = spawnServer({ DATA_DIR: dataDir });
    servers.push(first);
    const url = await first.listening;

    expect(await oneLineFailure({ DATA_DIR: dataDir })).toBe(
      `The data directory ${dataDir}/pglite is in use by another Switchboard (pid ${first.child.pid}) (DATA_DIR): stop it, or set DATA_DIR to another directory.`,
    );
    expect((await fetch(`${url}/api/session`, { method: 'POST' })).status).toBe(201);

    // Killed without a shutdown, its lock stays behind: the next start takes it over.
    expect(await first.kill()).toBe('SIGKILL');
    const second = spawnServer({ DATA_DIR: dataDir });
    servers.push(second);
    const url2 = await second.listening;
    expect((await fetch(`${url2}/api/session`, { method: 'POST' })).status).toBe(201);
    expect(await second.stop()).toBe(0);
  }, 60_000);

  it('a stale lock does not block a start: its pid is gone, or is not a Node process', async () => {
    const gone = spawn(process.execPath, ['-e', '']);
    const gonePid = gone.pid as number;
    await new Promise((resolve) => gone.on('exit', resolve));
    const other = spawn('sleep', ['60']);
    try {
      for (const pid of [gonePid, other.pid as number]) {
        const dataDir = newDataDir();
        mkdirSync(join(dataDir, 'pglite'), { recursive: true });
        const lockFile = join(dataDir, 'pglite', LOCK_FILE);
        writeFileSync(lockFile, `${pid}\n`);
        const server = spawnServer({ DATA_DIR: dataDir });
        servers.push(server);
        await server.listening;
        expect(readFileSync(lockFile, 'utf8')).toBe(`${server.child.pid}\n`);
        // A clean stop leaves no lock behind.
        expect(await server.stop()).toBe(0);
        expect(existsSync(lockFile)).toBe(false);
      }
    } finally {
      other.kill();
    }
  }, 60_000);
});
