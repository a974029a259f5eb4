import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webmOpusToOgg } from '../core/voice-remux.ts';
import { type FakeTelegram, startFakeTelegram } from './fake-telegram/index.ts';
import { databaseKind } from './support/database.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { eventually, newVisitor, type Visitor } from './support/visitor.ts';

const GROUP = -1005550001111;
const AGENT = { id: 3001, first_name: 'Vera', username: 'vera' };
const WEBM = readFileSync(new URL('./fixtures/voice-1500ms.webm', import.meta.url));
const OGG = Buffer.from(webmOpusToOgg(new Uint8Array(WEBM)) as Uint8Array);

describe(`voice notes and other kinds of messages, both ways (${databaseKind})`, () => {
  let fake: FakeTelegram;
  let app: TestApp;
  let visitor: Visitor;

  /** The visitor's copy of the agent's message with this body / the last agent message with a file. */
  const fromAgent = (check: (m: { body: string; media_url: string | null }) => boolean) =>
    eventually(async () => (await visitor.messages('agent')).find(check));
  const download = async (mediaUrl: string) => {
    const response = await fetch(`${app.url}${mediaUrl}`, {
      headers: { authorization: `Bearer ${visitor.token}` },
    });
    return { type: response.headers.get('content-type'), bytes: Buffer.from(await response.arrayBuffer()) };
  };
  const upload = (bytes: Buffer, type: string, name: string) => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(bytes)], { type }), name);
    return fetch(`${app.url}/api/session/${visitor.sessionId}/media`, {
      method: 'POST',
      headers: { authorization: `Bearer ${visitor.token}` },
      body: form,
    });
  };

  beforeAll(async () => {
    fake = await startFakeTelegram();
    fake.addGroup({ id: GROUP, title: 'Support', botStatus: 'administrator' });
    fake.addUser(AGENT);
    fake.setChatMember(GROUP, AGENT.id, 'member');
    app = await startTestApp({
      TELEGRAM_BOT_TOKEN: fake.token,
      TELEGRAM_API_ROOT: fake.apiRoot,
      SUPPORT_GROUP_CHAT_ID: String(GROUP),
      TELEGRAM_THROTTLE: 'false',
      RATE_LIMIT_MESSAGES: '100',
    });
    fake.sendText({ from: AGENT.id, text: '/start' });
    await fake.waitFor(() => fake.sentTo(AGENT.id).length > 0);
    visitor = await newVisitor(app.url);
    const { ticket } = await visitor.say('Can you hear me?');
    const card = await fake.waitFor(() =>
      fake.messages(GROUP).find((m) => m.text?.includes(`#${ticket.id}`)),
    );
    fake.clickButton({ from: AGENT.id, chatId: GROUP, messageId: card.message_id, text: '✅ Claim' });
    await fake.waitFor(() => fake.sentTo(AGENT.id).find((m) => /connected to/.test(m.text ?? '')));
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await fake?.close();
  });

  it('an agent’s voice note, audio, video note, animation and sticker reach the visitor as files the widget plays or shows', async () => {
    const cases = [
      {
        send: () => fake.sendVoice({ from: AGENT.id, bytes: OGG, caption: 'voice note' }),
        type: 'audio/ogg',
        bytes: OGG,
      },
      {
        send: () => fake.sendAudio({ from: AGENT.id, bytes: Buffer.from('ID3 fake mp3'), caption: 'a song' }),
        type: 'audio/mpeg',
      },
      {
        send: () => fake.sendVideoNote({ from: AGENT.id, bytes: Buffer.from('....ftypisom round video') }),
        type: 'video/mp4',
      },
      {
        send: () =>
          fake.sendAnimation({
            from: AGENT.id,
            bytes: Buffer.from('....ftypmp42 gif-like'),
            caption: 'a gif',
          }),
        type: 'video/mp4',
      },
      {
        send: () => fake.sendSticker({ from: AGENT.id, bytes: Buffer.from('RIFF....WEBPVP8 '), emoji: '👍' }),
        type: 'image/webp',
      },
    ];
    for (const [index, test] of cases.entries()) {
      const before = (await visitor.messages('agent')).length;
      test.send();
      const message = await eventually(async () => (await visitor.messages('agent'))[before]);
      expect(message.media_url, `case ${index}`).toBeTruthy();
      const file = await download(message.media_url as string);
      expect(file.type, `case ${index}`).toContain(test.type);
      if (test.bytes) expect(file.bytes.equals(test.bytes)).toBe(true);
    }
  });

  it('an animated sticker arrives as its emoji; a location as a map link', async () => {
    fake.sendSticker({ from: AGENT.id, emoji: '🎉', stickerFormat: 'animated' });
    await fromAgent((m) => m.body === '🎉' && !m.media_url);
    fake.sendLocation({ from: AGENT.id, latitude: 52.52, longitude: 13.405 });
    const location = await fromAgent((m) => m.body.startsWith('📍'));
    expect(location.body).toContain('https://www.openstreetmap.org/?mlat=52.52&mlon=13.405');
  });

  it('a visitor’s voice recording (WebM from Chromium) arrives as a Telegram voice note in Ogg', async () => {
    const before = fake.callsOf('sendVoice').length;
    const response = await upload(WEBM, 'audio/webm;codecs=opus', 'voice.webm');
    expect(response.status).toBe(201);
    const { message } = (await response.json()) as { message: { media_url: string } };
    const stored = await download(message.media_url);
    expect(stored.type).toContain('audio/ogg');
    expect(stored.bytes.equals(OGG)).toBe(true);
    const call = await fake.waitFor(() => fake.callsOf('sendVoice')[before]);
    expect(Number(call.params.chat_id)).toBe(AGENT.id);
    const voice = fake.sentTo(AGENT.id).findLast((m) => m.voice);
    expect(voice?.voice?.mime_type).toBe('audio/ogg');
    expect(fake.fileBytes(voice?.voice?.file_id as string)?.equals(OGG)).toBe(true);
  });

  it('a recording that is not Opus audio, or WebM not sent as audio, is refused and stores nothing', async () => {
    const files = await app.count('messages');
    const junk = Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3]), Buffer.alloc(200, 7)]);
    const notOpus = await upload(junk, 'audio/webm', 'voice.webm');
    expect(notOpus.status).toBe(400);
    expect(((await notOpus.json()) as { error: { message: string } }).error.message).toMatch(/Opus/);
    const asVideo = await upload(WEBM, 'video/webm', 'clip.webm');
    expect(asVideo.status).toBe(400);
    expect(await app.count('messages')).toBe(files);
  });
});
