import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeTelegram, startFakeTelegram } from './fake-telegram/index.ts';
import { createTestDatabase, databaseKind } from './support/database.ts';
import { mediaFiles, pngBytes } from './support/media-files.ts';
import { agentsStartTheBot, fakeSupportGroup } from './support/support-group.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { eventually, newVisitor, type Visitor } from './support/visitor.ts';

const GROUP = -1001234500015;
const ALICE = { id: 1501, first_name: 'Alice', username: 'alice' };
const WEBHOOK_SECRET = 'webhook-secret-media-0123456789';
const ADMIN_TOKEN = 'admin-token-media-0123456789';

type Sent = { message_id: number; text?: string; photo?: { file_id: string }[] };

/**
 * Two instances on one PostgreSQL database, each with its own DATA_DIR (as on separate hosts): a file
 * stored by either is served by both, because media lives in the database (issue 15). Telegram's
 * webhook points at B; the visitor talks to A.
 */
describe.skipIf(databaseKind !== 'postgresql')('media with two instances (PostgreSQL only)', () => {
  let fake: FakeTelegram;
  let a: TestApp;
  let b: TestApp;
  let drop: () => Promise<void>;
  let visitor: Visitor;

  const fetchMedia = (app: TestApp, mediaUrl: string) =>
    fetch(`${app.url}${mediaUrl}`, { headers: { authorization: `Bearer ${visitor.token}` } });
  const rowsOfSession = async () =>
    Number(
      (
        await a.orm.em
          .getConnection()
          .execute<{ count: string }[]>(`select count(*) as count from media_files where session_id = ?`, [
            visitor.sessionId,
          ])
      )[0]?.count,
    );

  beforeAll(async () => {
    fake = await startFakeTelegram();
    const database = await createTestDatabase();
    drop = database.drop;
    const env = {
      ...fakeSupportGroup(fake, GROUP, [ALICE]),
      BOT_MODE: 'webhook',
      WEBHOOK_SECRET,
      ADMIN_TOKEN,
      AFTER_HOURS_MINUTES: '600',
      RATE_LIMIT_MESSAGES: '100',
    };
    a = await startTestApp(env, { database: database.options });
    b = await startTestApp(env, { database: database.options });
    await b.telegram?.setWebhook(`${b.url}/api/telegram/webhook`);
    await agentsStartTheBot(fake, [ALICE]);

    visitor = await newVisitor(a.url);
    const { ticket } = await visitor.say('I will send you a screenshot');
    const card = (await fake.waitFor(
      () => fake.messages(GROUP).find((m: Sent) => m.text?.includes(`#${ticket.id}`)),
      { timeoutMs: 15_000 },
    )) as Sent;
    fake.clickButton({ from: ALICE.id, chatId: GROUP, messageId: card.message_id, text: '✅ Claim' });
    await eventually(async () => (await visitor.conversation()).ticket?.status === 'claimed', 15_000);
  }, 90_000);

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await drop?.();
    await fake?.close();
  });

  it('a file uploaded through A is served by B, and reaches the agent', async () => {
    expect([a.media.kind, b.media.kind]).toEqual(['postgres', 'postgres']);
    const bytes = pngBytes(700 * 1024);
    const form = new FormData();
    form.append('file', new Blob([bytes], { type: 'image/png' }), 'screenshot.png');
    form.append('body', 'the screenshot');
    const uploaded = await fetch(`${a.url}/api/session/${visitor.sessionId}/media`, {
      method: 'POST',
      headers: { authorization: `Bearer ${visitor.token}` },
      body: form,
    });
    expect(uploaded.status).toBe(201);
    const { message } = (await uploaded.json()) as { message: { media_url: string } };

    const served = await fetchMedia(b, message.media_url);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(served.headers.get('content-length')).toBe(String(bytes.length));
    expect(Buffer.from(await served.arrayBuffer()).equals(bytes)).toBe(true);
    // Whichever instance's worker delivered it found the file.
    const photo = (await fake.waitFor(() => fake.sentTo(ALICE.id).find((m: Sent) => m.photo), {
      timeoutMs: 15_000,
    })) as Sent;
    expect(fake.fileBytes(photo.photo?.at(-1)?.file_id as string)?.equals(bytes)).toBe(true);
    // Neither instance keeps it on its own disk.
    for (const app of [a, b]) {
      expect(mediaFiles(app.dataDir).filter((file) => !file.path.startsWith('.incoming'))).toEqual([]);
    }
  });

  it("an agent's Telegram photo stored by B (the webhook's instance) is served by A", async () => {
    const bytes = Buffer.concat([Buffer.from('ffd8ffe0', 'hex'), randomBytes(20_000)]);
    const before = (await visitor.messages('agent')).length;
    fake.sendPhoto({ from: ALICE.id, bytes, caption: 'here is the fix' });
    const reply = await eventually(async () => (await visitor.messages('agent'))[before], 15_000);
    expect(reply.media_url).toBeTruthy();
    expect(fake.webhookDeliveries.every((d: { url: string }) => d.url.startsWith(b.url))).toBe(true);

    const served = await fetchMedia(a, reply.media_url as string);
    expect(served.status).toBe(200);
    expect(Buffer.from(await served.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it("erasing the visitor through A removes the session's files from the table; B answers 404", async () => {
    const urls = (await visitor.messages()).flatMap((m) => (m.media_url ? [m.media_url] : []));
    expect(urls).toHaveLength(2);
    expect(await rowsOfSession()).toBe(2);

    const erased = await fetch(`${a.url}/api/admin/sessions/${visitor.sessionId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(erased.status).toBe(200);

    expect(await rowsOfSession()).toBe(0);
    for (const url of urls) expect((await fetchMedia(b, url)).status).toBe(404);
  });
});
