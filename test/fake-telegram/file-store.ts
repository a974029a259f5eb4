import { randomBytes } from 'node:crypto';

export interface StoredFile {
  fileId: string;
  fileUniqueId: string;
  filePath: string;
  fileName: string;
  mimeType: string;
  bytes: Buffer;
}

export type FileKind = 'photo' | 'document' | 'voice' | 'audio' | 'video_note' | 'sticker' | 'animation';

/** file_id prefixes as Telegram's (the first bytes encode the file type). */
const ID_PREFIX: Record<FileKind, string> = {
  photo: 'AgACAgIAAxkBAAI',
  document: 'BQACAgIAAxkBAAI',
  voice: 'AwACAgIAAxkBAAI',
  audio: 'CQACAgIAAxkBAAI',
  video_note: 'DQACAgIAAxkBAAI',
  sticker: 'CAACAgIAAxkBAAI',
  animation: 'CgACAgIAAxkBAAI',
};
/** getFile's file_path folders, as Telegram names them. */
const FOLDER: Record<FileKind, string> = {
  photo: 'photos',
  document: 'documents',
  voice: 'voice',
  audio: 'music',
  video_note: 'video_notes',
  sticker: 'stickers',
  animation: 'animations',
};
const DEFAULT_EXTENSION: Record<FileKind, string> = {
  photo: 'jpg',
  document: 'dat',
  voice: 'oga',
  audio: 'mp3',
  video_note: 'mp4',
  sticker: 'webp',
  animation: 'mp4',
};

/** Files uploaded by the bot or sent by users: reachable by file_id and by download path. */
export class FileStore {
  private readonly byId = new Map<string, StoredFile>();
  private readonly byPath = new Map<string, StoredFile>();
  private counter = 0;

  add(kind: FileKind, bytes: Buffer, fileName: string, mimeType: string): StoredFile {
    this.counter += 1;
    const extension = /\.([A-Za-z0-9]{1,8})$/.exec(fileName)?.[1] ?? DEFAULT_EXTENSION[kind];
    const file: StoredFile = {
      fileId: `${ID_PREFIX[kind]}${this.counter}${randomBytes(12).toString('base64url')}`,
      fileUniqueId: `AQAD${this.counter}${randomBytes(4).toString('base64url')}`,
      filePath: `${FOLDER[kind]}/file_${this.counter}.${extension}`,
      fileName,
      mimeType,
      bytes,
    };
    this.byId.set(file.fileId, file);
    this.byPath.set(file.filePath, file);
    return file;
  }

  get(fileId: string): StoredFile | undefined {
    return this.byId.get(fileId);
  }

  atPath(filePath: string): StoredFile | undefined {
    return this.byPath.get(filePath);
  }
}
