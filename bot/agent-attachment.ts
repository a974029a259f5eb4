import type { Message } from 'grammy/types';

/** What of an agent's message reaches the visitor besides its text: a file to store, and/or a text. */
export type AgentAttachment = {
  file?: { fileId: string; mimeType: string; size?: number };
  /** For what has no file the widget can show: a location as a map link, an animated sticker's emoji. */
  text?: string;
};

/** The message kinds an agent's message may be (besides text) for the visitor to see. */
export const AGENT_MESSAGE_KINDS = [
  'message:text',
  'message:photo',
  'message:document',
  'message:voice',
  'message:audio',
  'message:video_note',
  'message:animation',
  'message:sticker',
  'message:location',
] as const;

const file = (fileId: string, mimeType: string, size?: number) => ({ file: { fileId, mimeType, size } });

/** A map link for a point (OpenStreetMap: no account, no key). */
export const mapLink = (latitude: number, longitude: number) =>
  `https://www.openstreetmap.org/?mlat=${latitude}&mlon=${longitude}#map=16/${latitude}/${longitude}`;

/**
 * The form in which the widget shows what an agent sent: photos and static stickers as images, voice
 * notes and audio as sound (an audio player), video notes and animations as video, documents as files,
 * a location or venue as a map link, an animated or video sticker as its emoji.
 */
export function agentAttachmentOf(message: Message): AgentAttachment | null {
  const photo = message.photo?.at(-1);
  if (photo) return file(photo.file_id, 'image/jpeg', photo.file_size);
  const { voice, audio, video_note: videoNote, animation, sticker, location, venue } = message;
  if (voice) return file(voice.file_id, voice.mime_type ?? 'audio/ogg', voice.file_size);
  if (audio) return file(audio.file_id, audio.mime_type ?? 'audio/mpeg', audio.file_size);
  if (videoNote) return file(videoNote.file_id, 'video/mp4', videoNote.file_size);
  // An animation's message also carries it as a document: taken as the animation.
  if (animation) return file(animation.file_id, animation.mime_type ?? 'video/mp4', animation.file_size);
  if (sticker) {
    if (!sticker.is_animated && !sticker.is_video)
      return file(sticker.file_id, 'image/webp', sticker.file_size);
    return { text: sticker.emoji ?? '🙂' };
  }
  if (location) {
    const name = venue ? `${venue.title}, ${venue.address}\n` : '';
    return { text: `📍 ${name}${mapLink(location.latitude, location.longitude)}` };
  }
  if (message.document) {
    const { document } = message;
    return file(document.file_id, document.mime_type ?? 'application/octet-stream', document.file_size);
  }
  return null;
}
