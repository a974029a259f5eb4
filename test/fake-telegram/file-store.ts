import { randomBytes } from 'node:crypto';

export interface StoredFile {
  fileId: string;
  fileUniqueId: string;
  filePath: string;
  fileName: string;
  mimeType: string;
  bytes: Buffer;
}

export type FileKind = 'photo' | 'document';

const ID_PREFIX: Record<FileKind, string> = { photo: 'AgACAgIAAxkBAAI', document: 'BQACAgIAAxkBAAI' };
const FOLDER: Record<FileKind, string> = { photo: 'photos', document: 'documents' };

/** Files uploaded by the bot or sent by users: reachable by file_id and by download path. */
export class FileStore {
  private readonly byId = new Map<string, StoredFile>();
  private readonly byPath = new Map<string, StoredFile>();
  private counter = 0;

  add(kind: FileKind, bytes: Buffer, fileName: string, mimeType: string): StoredFile {
    this.counter += 1;
    const extension = /\.([A-Za-z0-9]{1,8})$/.exec(fileName)?.[1] ?? (kind === 'photo' ? 'jpg' : 'dat');
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
