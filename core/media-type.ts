/**
 * What a file is, by its content: the client's word (a file name, a Content-Type) is easy to get wrong
 * and easy to fake, and an agent's Telegram would otherwise be handed whatever a visitor labelled as a
 * picture.
 */

/** The leading bytes that identify each binary type, `null` where any byte may stand. */
const SIGNATURES: { type: string; bytes: (number | null)[] }[] = [
  { type: 'image/jpeg', bytes: [0xff, 0xd8, 0xff] },
  { type: 'image/png', bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { type: 'image/gif', bytes: [...ascii('GIF87a')] },
  { type: 'image/gif', bytes: [...ascii('GIF89a')] },
  { type: 'image/webp', bytes: [...ascii('RIFF'), null, null, null, null, ...ascii('WEBP')] },
  { type: 'application/pdf', bytes: [...ascii('%PDF-')] },
  { type: 'audio/ogg', bytes: [...ascii('OggS')] },
  // EBML (WebM) and ISO media (MP4): a voice recording as browsers make one, only when sent as audio.
  { type: 'audio/webm', bytes: [0x1a, 0x45, 0xdf, 0xa3] },
  { type: 'audio/mp4', bytes: [null, null, null, null, ...ascii('ftyp')] },
];
/** Types taken only when the client said it sends audio (the same containers also hold video). */
const AUDIO_ONLY_WHEN_CLAIMED = new Set(['audio/webm', 'audio/mp4']);
/** Enough leading bytes to tell every signature apart. */
const HEAD_BYTES = Math.max(...SIGNATURES.map((signature) => signature.bytes.length));

function ascii(text: string): number[] {
  return [...text].map((char) => char.charCodeAt(0));
}

/** The binary type whose signature `head` starts with, if any. */
export function sniffMediaType(head: Uint8Array): string | undefined {
  return SIGNATURES.find(
    ({ bytes }) => head.length >= bytes.length && bytes.every((byte, i) => byte === null || head[i] === byte),
  )?.type;
}

export type MediaTypeCheck = ReturnType<typeof createMediaTypeCheck>;

/**
 * Decides a file's type while it streams in. JPEG, PNG, GIF, WebP, PDF and Ogg are known by their first
 * bytes, whatever the client called them; WebM and MP4 only as audio the client says it sends (a voice
 * recording). Anything else is accepted only as `text/plain`, only when the
 * client said so, and only while it stays valid UTF-8 without NUL bytes: so a binary refused as soon as
 * its first bytes arrive, and a text claim on binary content as soon as the binary part does.
 */
export function createMediaTypeCheck(claimedType: string) {
  let head = new Uint8Array(0);
  let type: string | undefined;
  let refused = false;
  const text = new TextDecoder('utf-8', { fatal: true });

  const checkText = (bytes: Uint8Array, final: boolean) => {
    try {
      if (bytes.includes(0)) return false;
      text.decode(bytes, { stream: !final });
      return true;
    } catch {
      return false;
    }
  };

  const decide = (final: boolean) => {
    type = sniffMediaType(head);
    if (type && AUDIO_ONLY_WHEN_CLAIMED.has(type)) return claimedType.startsWith('audio/');
    if (type) return true;
    if (head.length < HEAD_BYTES && !final) return true;
    if (claimedType !== 'text/plain') return false;
    type = 'text/plain';
    return checkText(head, final);
  };

  return {
    /** Feeds the next bytes; false once the content cannot be an allowed type (stop reading then). */
    update(chunk: Uint8Array): boolean {
      if (refused) return false;
      if (type === 'text/plain') refused = !checkText(chunk, false);
      else if (type === undefined) {
        const joined = new Uint8Array(head.length + chunk.length);
        joined.set(head);
        joined.set(chunk, head.length);
        head = joined;
        if (head.length >= HEAD_BYTES) {
          refused = !decide(false);
          head = new Uint8Array(0);
        }
      }
      return !refused;
    },

    /** After the last bytes: the content's type, or null when it is not one that is allowed. */
    finish(): string | null {
      if (refused) return null;
      if (type === undefined) refused = !decide(true);
      else if (type === 'text/plain') refused = !checkText(new Uint8Array(0), true);
      return refused ? null : (type ?? null);
    },
  };
}
