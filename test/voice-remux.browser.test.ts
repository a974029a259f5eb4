import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oggCrc, opusPacketSamples, webmOpusToOgg } from '../core/voice-remux.ts';
import { launchChromium } from './support/browser.ts';

/** A 1.5 s 440 Hz tone recorded by Chromium's MediaRecorder (audio/webm;codecs=opus). */
const WEBM = new Uint8Array(readFileSync(new URL('./fixtures/voice-1500ms.webm', import.meta.url)));

type Page = { flags: number; granule: bigint; sequence: number; crcOk: boolean; packets: Uint8Array[] };

/** Reads Ogg pages back (RFC 3533), checking each page's CRC. */
function readOggPages(ogg: Uint8Array): Page[] {
  const pages: Page[] = [];
  let pos = 0;
  while (pos < ogg.length) {
    expect(new TextDecoder().decode(ogg.subarray(pos, pos + 4))).toBe('OggS');
    const view = new DataView(ogg.buffer, ogg.byteOffset + pos);
    const count = ogg[pos + 26] as number;
    const lacing = [...ogg.subarray(pos + 27, pos + 27 + count)];
    const length = 27 + count + lacing.reduce((sum, value) => sum + value, 0);
    const page = ogg.slice(pos, pos + length);
    const stored = new DataView(page.buffer).getUint32(22, true);
    page.fill(0, 22, 26);
    const packets: Uint8Array[] = [];
    let body = pos + 27 + count;
    let size = 0;
    for (const value of lacing) {
      size += value;
      if (value < 255) {
        packets.push(ogg.subarray(body, body + size));
        body += size;
        size = 0;
      }
    }
    pages.push({
      flags: ogg[pos + 5] as number,
      granule: view.getBigInt64(6, true),
      sequence: view.getUint32(18, true),
      crcOk: oggCrc(page) === stored,
      packets,
    });
    pos += length;
  }
  return pages;
}

describe('a browser voice recording (Opus in WebM) repackaged as Opus in Ogg', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('keeps every Opus packet, with Ogg headers, page order, CRCs and granule positions right', () => {
    const ogg = webmOpusToOgg(WEBM) as Uint8Array;
    expect(ogg).not.toBeNull();
    const pages = readOggPages(ogg);
    expect(pages.every((page) => page.crcOk)).toBe(true);
    expect(pages.map((page) => page.sequence)).toEqual(pages.map((_, index) => index));
    expect(pages[0]?.flags).toBe(0x02);
    expect(pages.at(-1)?.flags).toBe(0x04);
    expect(new TextDecoder().decode(pages[0]?.packets[0]?.subarray(0, 8))).toBe('OpusHead');
    expect(new TextDecoder().decode(pages[1]?.packets[0]?.subarray(0, 8))).toBe('OpusTags');
    const audio = pages.slice(2).flatMap((page) => page.packets);
    const samples = audio.reduce((sum, packet) => sum + opusPacketSamples(packet), 0);
    expect(pages.at(-1)?.granule).toBe(BigInt(samples));
    // About the 1.5 s recorded (MediaRecorder starts and stops within a few frames of it).
    expect(samples / 48000).toBeGreaterThan(1.2);
    expect(samples / 48000).toBeLessThan(1.8);
    const granules = pages.map((page) => page.granule);
    expect([...granules].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(granules);
  });

  it('decodes in Chromium as the same length of sound', async () => {
    const ogg = webmOpusToOgg(WEBM) as Uint8Array;
    const page = await browser.newPage();
    const decode = (bytes: number[]) =>
      page.evaluate(async (data) => {
        const buffer = await new OfflineAudioContext(1, 1, 48000).decodeAudioData(
          new Uint8Array(data).buffer,
        );
        return buffer.duration;
      }, bytes);
    const [oggSeconds, webmSeconds] = [await decode([...ogg]), await decode([...WEBM])];
    expect(Math.abs(oggSeconds - webmSeconds)).toBeLessThan(0.05);
    await page.close();
  });

  it('refuses what is not Opus in WebM', () => {
    expect(webmOpusToOgg(new TextEncoder().encode('not a recording at all'))).toBeNull();
    expect(webmOpusToOgg(WEBM.subarray(0, 200))).toBeNull();
    expect(webmOpusToOgg(new Uint8Array(0))).toBeNull();
  });
});
