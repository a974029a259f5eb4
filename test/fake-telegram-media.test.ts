import { Bot, InputFile } from 'grammy';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeTelegram, startFakeTelegram } from './fake-telegram/index.ts';
import { rawCall, refusal } from './fake-telegram/test-client.ts';

const ANN = { id: 1001, first_name: 'Ann', username: 'ann' };
const FORUM = -1001234567890;

let fake: FakeTelegram;
let bot: Bot;

beforeEach(async () => {
  fake = await startFakeTelegram();
  fake.addUser(ANN);
  fake.addGroup({ id: FORUM, title: 'Support', isForum: true, botStatus: 'administrator' });
  bot = new Bot(fake.token, { client: { apiRoot: fake.apiRoot } });
});
afterEach(() => fake.close());

async function download(filePath: string | undefined): Promise<{ type: string | null; bytes: Buffer }> {
  const response = await fetch(`${fake.apiRoot}/file/bot${fake.token}/${filePath}`);
  return { type: response.headers.get('content-type'), bytes: Buffer.from(await response.arrayBuffer()) };
}

describe('the bot sends voice, audio, video notes, stickers, animations and locations', () => {
  it('uploads multipart and re-sends by file_id; the file downloads with its type', async () => {
    const ogg = Buffer.from('OggS voice bytes');
    const voice = await bot.api.sendVoice(ANN.id, new InputFile(ogg, 'reply.ogg'), {
      caption: '<b>listen</b>',
      parse_mode: 'HTML',
      duration: 4,
    });
    expect(voice.voice).toMatchObject({ duration: 4, mime_type: 'audio/ogg', file_size: ogg.length });
    expect(voice.voice?.file_id).toMatch(/^AwAC/);
    expect(voice.caption).toBe('listen');
    const file = await bot.api.getFile(voice.voice?.file_id as string);
    expect(file.file_path).toMatch(/^voice\/.*\.ogg$/);
    expect(await download(file.file_path)).toEqual({ type: 'audio/ogg', bytes: ogg });
    const again = await bot.api.sendVoice(FORUM, voice.voice?.file_id as string);
    expect(again.voice?.file_id).toBe(voice.voice?.file_id);

    const audio = await bot.api.sendAudio(ANN.id, new InputFile(Buffer.from('ID3'), 'song.mp3'), {
      performer: 'Ann',
      title: 'Hold music',
    });
    expect(audio.audio).toMatchObject({ performer: 'Ann', title: 'Hold music', mime_type: 'audio/mpeg' });
    const sticker = await bot.api.sendSticker(ANN.id, new InputFile(Buffer.from('RIFF'), 's.webp'), {
      emoji: '👋',
    });
    expect(sticker.sticker).toMatchObject({
      type: 'regular',
      is_animated: false,
      is_video: false,
      emoji: '👋',
    });
    const gif = await bot.api.sendAnimation(ANN.id, new InputFile(Buffer.from('mp4'), 'cat.mp4'), {
      caption: 'cat',
    });
    expect(gif).toMatchObject({
      animation: { mime_type: 'video/mp4' },
      document: { mime_type: 'video/mp4' },
    });
    const note = await bot.api.sendVideoNote(ANN.id, new InputFile(Buffer.from('mp4'), 'note.mp4'), {
      length: 360,
    });
    expect(note.video_note).toMatchObject({ length: 360 });
    expect(fake.sentTo(ANN.id).map((m) => Object.keys(m).find((key) => key in KINDS))).toEqual([
      'voice',
      'audio',
      'sticker',
      'animation',
      'video_note',
    ]);
  });

  it('video notes and stickers have no caption; video notes cannot come from a URL', async () => {
    const note = await rawCall(fake, 'sendVideoNote', {
      chat_id: ANN.id,
      video_note: (await bot.api.sendVideoNote(ANN.id, new InputFile(Buffer.from('x'), 'n.mp4'))).video_note
        ?.file_id,
      caption: 'ignored',
    });
    expect(note.body.result.caption).toBeUndefined();
    expect(await refusal(bot.api.sendVideoNote(ANN.id, 'https://example.com/note.mp4'))).toEqual([
      400,
      'Bad Request: wrong file identifier/HTTP URL specified',
    ]);
    expect(await refusal(bot.api.sendVoice(ANN.id, 'no-such-file-id'))).toEqual([
      400,
      'Bad Request: wrong file identifier/HTTP URL specified',
    ]);
    expect(
      await refusal(
        bot.api.sendVoice(ANN.id, new InputFile(Buffer.from('x'), 'v.ogg'), { caption: '😀'.repeat(513) }),
      ),
    ).toEqual([400, 'Bad Request: message caption is too long']);
  });

  it('sendLocation checks coordinates; every new kind goes into a topic', async () => {
    const { message_thread_id: thread } = await bot.api.createForumTopic(FORUM, 'Ticket');
    const here = await bot.api.sendLocation(FORUM, 52.52, 13.405, { message_thread_id: thread });
    expect(here).toMatchObject({
      location: { latitude: 52.52, longitude: 13.405 },
      message_thread_id: thread,
    });
    expect((await rawCall(fake, 'sendLocation', { chat_id: ANN.id, longitude: 1 })).body.description).toBe(
      'Bad Request: latitude is empty',
    );
    expect(await refusal(bot.api.sendLocation(ANN.id, 91, 0))).toEqual([
      400,
      'Bad Request: invalid location specified',
    ]);
    const voice = await bot.api.sendVoice(FORUM, new InputFile(Buffer.from('x'), 'v.ogg'), {
      message_thread_id: thread,
    });
    expect(voice).toMatchObject({ message_thread_id: thread, is_topic_message: true });
    expect(fake.sentTo(FORUM, { threadId: thread })).toHaveLength(2);
    expect(
      await refusal(bot.api.sendSticker(FORUM, voice.voice?.file_id as string, { message_thread_id: 99 })),
    ).toEqual([400, 'Bad Request: message thread not found']);
  });

  it('the new kinds count against the flood limits like sendPhoto', async () => {
    fake.enforceLimits(true);
    await bot.api.sendVoice(ANN.id, new InputFile(Buffer.from('x'), 'v.ogg'));
    const limited = await refusal(bot.api.sendLocation(ANN.id, 1, 2));
    expect(limited).toEqual([429, 'Too Many Requests: retry after 1']);
    expect(fake.rateLimitedCount()).toBe(1);
  });
});

describe('users send media the bot can download', () => {
  it('voice, video note, audio, sticker and animation with realistic MIME types and file paths', async () => {
    const cases = [
      {
        update: fake.sendVoice({ from: ANN.id, bytes: Buffer.from('OggS'), duration: 7 }),
        field: 'voice',
        type: 'audio/ogg',
      },
      { update: fake.sendVideoNote({ from: ANN.id }), field: 'video_note', type: 'video/mp4' },
      { update: fake.sendAudio({ from: ANN.id, title: 'Song' }), field: 'audio', type: 'audio/mpeg' },
      { update: fake.sendSticker({ from: ANN.id }), field: 'sticker', type: 'image/webp' },
      { update: fake.sendAnimation({ from: ANN.id, caption: 'lol' }), field: 'animation', type: 'video/mp4' },
    ] as const;
    for (const { update, field, type } of cases) {
      expect(update.update_id, field).toBeGreaterThan(0);
      const media = update.message?.[field] as { file_id: string; mime_type?: string };
      const file = await bot.api.getFile(media.file_id);
      const downloaded = await download(file.file_path);
      expect(downloaded.type, field).toBe(type);
      expect(downloaded.bytes.length, field).toBe(file.file_size);
      if ('mime_type' in media) expect(media.mime_type, field).toBe(type);
    }
    expect(cases[0].update.message?.voice?.duration).toBe(7);
    expect(fake.fileBytes(cases[0].update.message?.voice?.file_id as string)?.toString()).toBe('OggS');
    expect(cases[3].update.message?.sticker).toMatchObject({
      is_animated: false,
      is_video: false,
      emoji: '👍',
    });
    expect(cases[4].update.message).toMatchObject({ caption: 'lol', document: { mime_type: 'video/mp4' } });
    expect(fake.sendSticker({ from: ANN.id, stickerFormat: 'video' }).message?.sticker?.is_video).toBe(true);
    const location = fake.sendLocation({ from: ANN.id, latitude: 1.5, longitude: 2.5 });
    expect(location.message?.location).toEqual({ latitude: 1.5, longitude: 2.5 });
  });
});

const KINDS = { voice: 1, audio: 1, sticker: 1, animation: 1, video_note: 1 };
