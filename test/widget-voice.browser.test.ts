import { readFileSync } from 'node:fs';
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webmOpusToOgg } from '../core/voice-remux.ts';
import { type FakeTelegram, startFakeTelegram } from './fake-telegram/index.ts';
import { launchChromium, screenshot } from './support/browser.ts';
import { agentsStartTheBot, fakeSupportGroup } from './support/support-group.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

const GROUP = -1004440002222;
const ALICE = { id: 4001, first_name: 'Alice', username: 'alice' };
const OGG = Buffer.from(
  webmOpusToOgg(
    new Uint8Array(readFileSync(new URL('./fixtures/voice-1500ms.webm', import.meta.url))),
  ) as Uint8Array,
);
const WAIT = { timeout: 15_000 };

/**
 * Voice both ways in Chromium: the visitor records with the microphone (a fake one that plays a tone) and
 * the agent gets a Telegram voice note; the agent's voice note, video note and location show in the chat
 * as an audio player, a video and a map link.
 */
describe('voice messages in the widget', () => {
  let fake: FakeTelegram;
  let app: TestApp;
  let browser: Browser;
  let page: Page;
  let chat: Frame;

  beforeAll(async () => {
    fake = await startFakeTelegram();
    app = await startTestApp({ ...fakeSupportGroup(fake, GROUP, [ALICE]), RATE_LIMIT_MESSAGES: '50' });
    await agentsStartTheBot(fake, [ALICE]);
    browser = await launchChromium({ fakeMicrophone: true });
    page = await (await browser.newContext({ viewport: { width: 1000, height: 760 } })).newPage();
    page.on('pageerror', (error) => console.error('page error:', error));
    await page.goto(`${app.url}/`);
    await page.getByRole('button', { name: 'Open chat' }).click();
    chat = (await (await page.waitForSelector('[data-switchboard] >> iframe')).contentFrame()) as Frame;
    await chat.getByRole('textbox', { name: 'Message' }).fill('Hello, can I send a voice message?');
    await chat.getByRole('button', { name: 'Send' }).click();
    const card = await fake.waitFor(() => fake.messages(GROUP).find((m) => m.reply_markup), {
      timeoutMs: 15_000,
    });
    fake.clickButton({ from: ALICE.id, chatId: GROUP, messageId: card.message_id, text: '✅ Claim' });
    await chat.getByText('Connected to Alice').waitFor(WAIT);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await fake?.close();
  });

  it('the visitor records a voice message; the agent gets a Telegram voice note (Ogg Opus)', async () => {
    await chat.getByRole('button', { name: 'Record a voice message' }).click();
    await chat.getByRole('status').filter({ hasText: 'Recording 0:01' }).waitFor(WAIT);
    await screenshot(page, 'widget-voice', '01-recording');
    await chat.getByRole('button', { name: 'Send the voice message' }).click();

    const voice = await fake.waitFor(() => fake.sentTo(ALICE.id).find((m) => m.voice), { timeoutMs: 15_000 });
    expect(voice.voice?.mime_type).toBe('audio/ogg');
    const bytes = fake.fileBytes(voice.voice?.file_id as string) as Buffer;
    expect(bytes.subarray(0, 4).toString()).toBe('OggS');
    expect(bytes.subarray(28, 36).toString()).toBe('OpusHead');
    // The visitor's own message plays back in the chat, and is a second or more of sound.
    const player = chat.locator('audio').first();
    await player.waitFor(WAIT);
    const seconds = await player.evaluate(
      (audio: HTMLAudioElement) =>
        new Promise<number>((resolve) => {
          if (Number.isFinite(audio.duration) && audio.duration > 0) resolve(audio.duration);
          audio.addEventListener('loadedmetadata', () => resolve(audio.duration), { once: true });
          audio.load();
        }),
    );
    expect(seconds).toBeGreaterThan(0.5);
  });

  it('the agent’s voice note, video note and location show as a player, a video and a map link', async () => {
    const players = await chat.locator('audio').count();
    fake.sendVoice({ from: ALICE.id, bytes: OGG });
    await chat.locator('audio').nth(players).waitFor(WAIT);
    fake.sendVideoNote({ from: ALICE.id, bytes: Buffer.from('....ftypisom round video') });
    await chat.locator('video').first().waitFor(WAIT);
    fake.sendLocation({ from: ALICE.id, latitude: 48.8584, longitude: 2.2945 });
    const map = chat.getByRole('link', { name: /openstreetmap\.org/ });
    await map.waitFor(WAIT);
    expect(await map.getAttribute('href')).toContain('mlat=48.8584&mlon=2.2945');
    await screenshot(page, 'widget-voice', '02-agent-voice-video-location');
  });
});
