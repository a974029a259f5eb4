import type { FileKind, StoredFile } from './file-store.ts';
import { imageDimensions, mimeTypeFor } from './media-info.ts';
import type { Message, PhotoSize } from './types.ts';

/** The MIME type a file of this kind gets when neither the upload nor its name tells. */
export const DEFAULT_MIME_TYPE: Record<FileKind, string> = {
  photo: 'image/jpeg',
  document: 'application/octet-stream',
  voice: 'audio/ogg',
  audio: 'audio/mpeg',
  video_note: 'video/mp4',
  sticker: 'image/webp',
  animation: 'video/mp4',
};

/** The file name Telegram clients give a file of this kind that has none. */
export const DEFAULT_FILE_NAME: Record<FileKind, string> = {
  photo: 'photo.jpg',
  document: 'document',
  voice: 'voice.oga',
  audio: 'audio.mp3',
  video_note: 'video_note.mp4',
  sticker: 'sticker.webp',
  animation: 'animation.mp4',
};

export function mediaMimeType(kind: FileKind, fileName: string, declared: string | undefined): string {
  const mimeType = mimeTypeFor(fileName, declared);
  return mimeType === 'application/octet-stream' ? DEFAULT_MIME_TYPE[kind] : mimeType;
}

/** Details a sender may give (sendVoice's duration, sendAudio's performer…); defaults otherwise. */
export interface MediaDetails {
  duration?: number;
  length?: number;
  width?: number;
  height?: number;
  performer?: string;
  title?: string;
  emoji?: string;
}

/** The Message fields for a file of this kind, as Telegram fills them. */
export function mediaFields(kind: FileKind, file: StoredFile, details: MediaDetails = {}): Partial<Message> {
  const ids = { file_id: file.fileId, file_unique_id: file.fileUniqueId };
  const size = { file_size: file.bytes.length };
  switch (kind) {
    case 'photo':
      return { photo: photoSizes(file) };
    case 'document':
      return { document: documentOf(file) };
    case 'voice':
      return { voice: { ...ids, duration: details.duration ?? 0, mime_type: file.mimeType, ...size } };
    case 'audio':
      return {
        audio: {
          ...ids,
          duration: details.duration ?? 0,
          ...(details.performer === undefined ? {} : { performer: details.performer }),
          ...(details.title === undefined ? {} : { title: details.title }),
          file_name: file.fileName,
          mime_type: file.mimeType,
          ...size,
        },
      };
    case 'video_note':
      return {
        video_note: { ...ids, length: details.length ?? 240, duration: details.duration ?? 0, ...size },
      };
    case 'sticker':
      return {
        sticker: {
          ...ids,
          type: 'regular',
          width: 512,
          height: 512,
          is_animated: file.mimeType === 'application/x-tgsticker',
          is_video: file.mimeType === 'video/webm',
          ...(details.emoji === undefined ? {} : { emoji: details.emoji }),
          ...size,
        },
      };
    case 'animation': {
      const animation = {
        ...ids,
        width: details.width ?? 320,
        height: details.height ?? 240,
        duration: details.duration ?? 0,
        file_name: file.fileName,
        mime_type: file.mimeType,
        ...size,
      };
      // "For backward compatibility, when this field is set, the document field will also be set."
      return { animation, document: documentOf(file) };
    }
  }
}

export function photoSizes(file: StoredFile): PhotoSize[] {
  return [
    {
      file_id: file.fileId,
      file_unique_id: file.fileUniqueId,
      file_size: file.bytes.length,
      ...imageDimensions(file.bytes),
    },
  ];
}

export function documentOf(file: StoredFile): NonNullable<Message['document']> {
  return {
    file_id: file.fileId,
    file_unique_id: file.fileUniqueId,
    file_name: file.fileName,
    mime_type: file.mimeType,
    file_size: file.bytes.length,
  };
}
