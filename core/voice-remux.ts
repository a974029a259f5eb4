/**
 * A browser's voice recording (MediaRecorder: Opus in WebM, what Chromium records) repackaged, without
 * re-encoding, as Opus in Ogg — the container Telegram takes as a voice note. Only the container
 * changes: the Opus packets are copied as they are.
 */

const ID = {
  segment: 0x18538067,
  cluster: 0x1f43b675,
  tracks: 0x1654ae6b,
  trackEntry: 0xae,
  trackNumber: 0xd7,
  codecId: 0x86,
  codecPrivate: 0x63a2,
  codecDelay: 0x56aa,
  audio: 0xe1,
  channels: 0x9f,
  samplingFrequency: 0xb5,
  simpleBlock: 0xa3,
  blockGroup: 0xa0,
  block: 0xa1,
} as const;

/** An EBML variable-length integer at `pos`: its value (marker bit removed unless `keepMarker`) and length. */
function readVint(bytes: Uint8Array, pos: number, keepMarker: boolean) {
  const first = bytes[pos];
  if (first === undefined || first === 0) return null;
  const length = Math.clz32(first) - 23;
  if (length > 8 || pos + length > bytes.length) return null;
  let value = keepMarker ? first : first & (0xff >> length);
  let allOnes = value === 0xff >> length;
  for (let i = 1; i < length; i++) {
    const byte = bytes[pos + i] as number;
    value = value * 256 + byte;
    allOnes &&= byte === 0xff;
  }
  return { value, length, unknown: !keepMarker && allOnes };
}

type Element = { id: number; start: number; end: number; unknownSize: boolean };

/** The element header at `pos` (its data runs from `start` to `end`). */
function readElement(bytes: Uint8Array, pos: number): Element | null {
  const id = readVint(bytes, pos, true);
  if (!id) return null;
  const size = readVint(bytes, pos + id.length, false);
  if (!size) return null;
  const start = pos + id.length + size.length;
  const end = size.unknown ? bytes.length : start + size.value;
  if (end > bytes.length) return null;
  return { id: id.value, start, end, unknownSize: size.unknown };
}

/** The children of a master element with a known size. */
function* children(bytes: Uint8Array, parent: Element): Generator<Element> {
  let pos = parent.start;
  while (pos < parent.end) {
    const child = readElement(bytes, pos);
    if (!child || child.unknownSize) return;
    yield child;
    pos = child.end;
  }
}

const readUint = (bytes: Uint8Array, element: Element) =>
  bytes.subarray(element.start, element.end).reduce((value, byte) => value * 256 + byte, 0);

type OpusTrack = { number: number; head: Uint8Array | null; channels: number; rate: number; delayNs: number };

function readOpusTrack(bytes: Uint8Array, tracks: Element): OpusTrack | null {
  for (const entry of children(bytes, tracks)) {
    if (entry.id !== ID.trackEntry) continue;
    const track: OpusTrack = { number: 0, head: null, channels: 1, rate: 48000, delayNs: 0 };
    let codec = '';
    for (const field of children(bytes, entry)) {
      if (field.id === ID.trackNumber) track.number = readUint(bytes, field);
      else if (field.id === ID.codecId)
        codec = new TextDecoder().decode(bytes.subarray(field.start, field.end));
      else if (field.id === ID.codecPrivate) track.head = bytes.slice(field.start, field.end);
      else if (field.id === ID.codecDelay) track.delayNs = readUint(bytes, field);
      else if (field.id === ID.audio) {
        for (const audio of children(bytes, field)) {
          if (audio.id === ID.channels) track.channels = readUint(bytes, audio);
          if (audio.id === ID.samplingFrequency) {
            const view = new DataView(bytes.buffer, bytes.byteOffset + audio.start, audio.end - audio.start);
            track.rate = Math.round(view.byteLength === 4 ? view.getFloat32(0) : view.getFloat64(0));
          }
        }
      }
    }
    if (codec === 'A_OPUS' && track.number > 0) return track;
  }
  return null;
}

/** The frame of a (Simple)Block of `trackNumber`, or null for another track; throws on lacing. */
function blockFrame(bytes: Uint8Array, block: Element, trackNumber: number): Uint8Array | null {
  const track = readVint(bytes, block.start, false);
  if (!track || track.value !== trackNumber) return null;
  const flags = bytes[block.start + track.length + 2] as number;
  if (flags & 0x06) throw new Error('laced blocks are not supported');
  return bytes.subarray(block.start + track.length + 3, block.end);
}

/** The Opus track and its packets, in order; null when `webm` is not Opus in WebM. */
function demuxOpus(webm: Uint8Array): { track: OpusTrack; packets: Uint8Array[] } | null {
  let track: OpusTrack | null = null;
  const packets: Uint8Array[] = [];
  let pos = 0;
  while (pos < webm.length) {
    const element = readElement(webm, pos);
    if (!element) break;
    // Segment and Cluster are entered whatever their size says (a recording in progress writes "unknown").
    if (element.id === ID.segment || element.id === ID.cluster) {
      pos = element.start;
      continue;
    }
    if (element.unknownSize) break;
    if (element.id === ID.tracks) track = readOpusTrack(webm, element);
    else if (track && element.id === ID.simpleBlock) {
      const frame = blockFrame(webm, element, track.number);
      if (frame) packets.push(frame);
    } else if (track && element.id === ID.blockGroup) {
      for (const child of children(webm, element)) {
        const frame = child.id === ID.block ? blockFrame(webm, child, track.number) : null;
        if (frame) packets.push(frame);
      }
    }
    pos = element.end;
  }
  return track && packets.length ? { track, packets } : null;
}

/** Samples (at 48 kHz) one Opus packet holds, from its TOC byte (RFC 6716 §3.1). */
export function opusPacketSamples(packet: Uint8Array): number {
  const toc = packet[0] ?? 0;
  const config = toc >> 3;
  const frameSamples =
    config < 12
      ? [480, 960, 1920, 2880][config % 4]
      : config < 16
        ? [480, 960][config % 2]
        : [120, 240, 480, 960][config % 4];
  const code = toc & 3;
  const frames = code === 0 ? 1 : code === 3 ? (packet[1] ?? 0) & 0x3f : 2;
  return (frameSamples as number) * frames;
}

/** OpusHead (RFC 7845 §5.1) from what WebM says, for a track without CodecPrivate. */
function opusHead(track: OpusTrack): Uint8Array {
  const head = new Uint8Array(19);
  const view = new DataView(head.buffer);
  head.set(new TextEncoder().encode('OpusHead'));
  head[8] = 1;
  head[9] = track.channels;
  view.setUint16(10, Math.round((track.delayNs * 48000) / 1e9), true);
  view.setUint32(12, track.rate, true);
  return head;
}

function opusTags(): Uint8Array {
  const vendor = new TextEncoder().encode('switchboard');
  const tags = new Uint8Array(8 + 4 + vendor.length + 4);
  const view = new DataView(tags.buffer);
  tags.set(new TextEncoder().encode('OpusTags'));
  view.setUint32(8, vendor.length, true);
  tags.set(vendor, 12);
  return tags;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 24;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
    table[i] = crc >>> 0;
  }
  return table;
})();

/** Ogg's CRC-32 (polynomial 0x04C11DB7, not reflected, initial 0). */
export function oggCrc(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) ^ (CRC_TABLE[((crc >>> 24) ^ byte) & 0xff] as number)) >>> 0;
  return crc;
}

/** One Ogg page of whole packets (their lacing values fit in one page's 255 segments). */
function oggPage(packets: Uint8Array[], granule: number, sequence: number, flags: number): Uint8Array {
  const lacing: number[] = [];
  for (const packet of packets) {
    for (let left = packet.length; ; left -= 255) {
      lacing.push(Math.min(left, 255));
      if (left < 255) break;
    }
  }
  const bodyLength = packets.reduce((sum, packet) => sum + packet.length, 0);
  const page = new Uint8Array(27 + lacing.length + bodyLength);
  const view = new DataView(page.buffer);
  page.set(new TextEncoder().encode('OggS'));
  page[5] = flags;
  view.setBigInt64(6, BigInt(granule), true);
  view.setUint32(14, 0x5357_4254, true); // the stream's serial number: any fixed value
  view.setUint32(18, sequence, true);
  page[26] = lacing.length;
  page.set(lacing, 27);
  let pos = 27 + lacing.length;
  for (const packet of packets) {
    page.set(packet, pos);
    pos += packet.length;
  }
  view.setUint32(22, oggCrc(page), true);
  return page;
}

const segmentsOf = (packet: Uint8Array) => Math.floor(packet.length / 255) + 1;

/**
 * Opus in WebM → Opus in Ogg (RFC 7845): the ID and comment headers on pages of their own, then the audio
 * packets, as many per page as fit, each page's granule position the samples decoded by its end. Null
 * when the input is not Opus in WebM (another codec, a damaged file, or laced blocks). Packets over
 * 255 × 255 bytes cannot occur in a voice recording (Opus packets are at most 1,275 bytes per frame).
 */
export function webmOpusToOgg(webm: Uint8Array): Uint8Array | null {
  let demuxed: ReturnType<typeof demuxOpus>;
  try {
    demuxed = demuxOpus(webm);
  } catch {
    return null;
  }
  if (!demuxed) return null;
  const { track, packets } = demuxed;
  const pages = [oggPage([track.head ?? opusHead(track)], 0, 0, 0x02), oggPage([opusTags()], 0, 1, 0)];
  let granule = 0;
  let pagePackets: Uint8Array[] = [];
  let segments = 0;
  const flush = (last: boolean) => {
    pages.push(oggPage(pagePackets, granule, pages.length, last ? 0x04 : 0));
    pagePackets = [];
    segments = 0;
  };
  for (const [index, packet] of packets.entries()) {
    if (segments + segmentsOf(packet) > 255) flush(false);
    pagePackets.push(packet);
    segments += segmentsOf(packet);
    granule += opusPacketSamples(packet);
    if (index === packets.length - 1) flush(true);
  }
  const ogg = new Uint8Array(pages.reduce((sum, page) => sum + page.length, 0));
  let pos = 0;
  for (const page of pages) {
    ogg.set(page, pos);
    pos += page.length;
  }
  return ogg;
}
