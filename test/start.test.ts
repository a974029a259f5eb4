import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-start-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** `node main.ts` as `npm start` runs it, on embedded PGlite in a temporary DATA_DIR. */
function start(env: Record<string, string> = {}) {
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  const child = spawn(process.execPath, ['main.ts'], {
    env: { ...inherited, PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'info', NODE_ENV: 'development', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => (stdout += chunk));
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const listening = new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', () => {
      const match = /"port":(\d+)/.exec(stdout);
      if (match && stdout.includes('listening')) resolve(`http://127.0.0.1:${match[1]}`);
    });
    exited.then((code) => reject(new Error(`exited with ${code}: ${stderr}${stdout}`)));
  });
  listening.catch(() => {}); // awaited only by the tests that expect a start

  return { child, listening, exited, output: () => ({ stdout, stderr }) };
}

const stop = async (child: ChildProcess, exited: Promise<number | null>) => {
  child.kill('SIGTERM');
  return exited;
};

describe('npm start', () => {
  it('serves the visitor API on embedded PGlite, stops cleanly, and keeps data and tokens across restarts', async () => {
    const first = start();
    const url = await first.listening;
    const created = await fetch(`${url}/api/session`, { method: 'POST' });
    expect(created.status).toBe(201);
    const { session_id: sessionId, access_token: token } = (await created.json()) as Record<string, string>;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const sent = await fetch(`${url}/api/session/${sessionId}/messages`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ body: 'still there after a restart?' }),
    });
    expect(sent.status).toBe(201);
    expect(await stop(first.child, first.exited)).toBe(0);
    const { stdout } = first.output();
    expect(stdout).toContain('TELEGRAM_BOT_TOKEN is not set');
    expect(stdout).not.toContain(token);

    const second = start();
    const url2 = await second.listening;
    const conversation = await fetch(`${url2}/api/session/${sessionId}`, { headers });
    expect(conversation.status).toBe(200);
    const body = (await conversation.json()) as { messages: { body: string }[] };
    expect(body.messages.map((m) => m.body)).toEqual(['still there after a restart?']);
    expect(await stop(second.child, second.exited)).toBe(0);
  });

  it('refuses a bad configuration with one line naming the variable', async () => {
    const run = start({ PORT: 'eighty' });
    expect(await run.exited).toBe(1);
    expect(run.output().stderr.trim()).toMatch(/^Invalid configuration: PORT [^\n]+$/);
  });

  it('refuses to start in production without JWT_SECRET', async () => {
    const run = start({ NODE_ENV: 'production', WIDGET_ORIGINS: 'https://shop.example' });
    expect(await run.exited).toBe(1);
    expect(run.output().stderr).toContain('JWT_SECRET is required when NODE_ENV=production');
  });
});
