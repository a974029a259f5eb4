import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKind } from './support/database.ts';
import { pngBytes } from './support/media-files.ts';
import { storedMediaOf } from './support/stored-media.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { newVisitor, type Visitor } from './support/visitor.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ RETENTION_DAYS: '30', MEDIA_RETENTION_DAYS: '0', RATE_LIMIT_MESSAGES: '100' });
}, 60_000);
afterAll(() => app?.close());

const sql = <T>(query: string, params: unknown[] = []) =>
  app.orm.em.getConnection().execute<T[]>(query, params);
const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS);

/** A conversation with a file: its ticket and session backdated `ageDays`, closed `closedDaysAgo` ago. */
async function conversation(ageDays: number, closedDaysAgo: number | null) {
  const visitor = await newVisitor(app.url);
  const form = new FormData();
  form.append('file', new Blob([pngBytes(1024)], { type: 'image/png' }), 'a.png');
  form.append('body', 'my receipt');
  const response = await fetch(`${app.url}/api/session/${visitor.sessionId}/media`, {
    method: 'POST',
    headers: { authorization: `Bearer ${visitor.token}` },
    body: form,
  });
  expect(response.status).toBe(201);
  await sql(`update support_sessions set created_at = ? where id = ?`, [daysAgo(ageDays), visitor.sessionId]);
  await sql(`update tickets set created_at = ? where session_id = ?`, [daysAgo(ageDays), visitor.sessionId]);
  if (closedDaysAgo !== null) {
    await sql(`update tickets set status = 'closed', closed_at = ? where session_id = ?`, [
      daysAgo(closedDaysAgo),
      visitor.sessionId,
    ]);
  }
  return visitor;
}

const rowsOf = async (visitor: Visitor) => {
  const [row] = await sql<{ sessions: number; tickets: number; messages: number }>(
    `select (select count(*)::int from support_sessions where id = ?) as sessions,
            (select count(*)::int from tickets where session_id = ?) as tickets,
            (select count(*)::int from messages where session_id = ?) as messages`,
    [visitor.sessionId, visitor.sessionId, visitor.sessionId],
  );
  return row;
};
const filesOf = (visitor: Visitor) => storedMediaOf(app, visitor.sessionId);

describe(`RETENTION_DAYS (${databaseKind})`, () => {
  it('erases conversations closed longer ago (rows and files); keeps open, recent and partly recent ones', async () => {
    const expired = await conversation(60, 31);
    const open = await conversation(400, null);
    const recent = await conversation(60, 29);
    // Two tickets: an old closed one and a recent closed one → the visitor came back: kept.
    const returning = await conversation(90, 80);
    await returning.say('I am back');
    await sql(
      `update tickets set status = 'closed', closed_at = ? where session_id = ? and closed_at is null`,
      [daysAgo(2), returning.sessionId],
    );
    // A session that never wrote, created long ago: nothing to keep.
    const silent = await newVisitor(app.url);
    await sql(`update support_sessions set created_at = ? where id = ?`, [daysAgo(45), silent.sessionId]);

    await app.sweepMedia();

    expect(await rowsOf(expired)).toEqual({ sessions: 0, tickets: 0, messages: 0 });
    expect(await filesOf(expired)).toEqual([]);
    expect(existsSync(join(app.dataDir, 'media', expired.sessionId))).toBe(false);
    expect((await rowsOf(silent))?.sessions).toBe(0);
    for (const kept of [open, recent]) {
      expect(await rowsOf(kept)).toEqual({ sessions: 1, tickets: 1, messages: 1 });
      expect(await filesOf(kept)).toHaveLength(1);
    }
    expect(await rowsOf(returning)).toEqual({ sessions: 1, tickets: 2, messages: 2 });
    // The erased visitor's token opens nothing; a kept one reads its conversation as before.
    expect(
      (await expired.http.get(`/api/session/${expired.sessionId}`, { token: expired.token })).status,
    ).toBe(404);
    expect((await recent.messages()).map((m) => m.body)).toEqual(['my receipt']);
  });
});
