import type { Api } from 'grammy';
import { MEDIA_MAX_BYTES } from '../core/media-store.ts';

export class FileTooLarge extends Error {}

/** Telegram's file server did not deliver for now (network, 429, 5xx): the download can be tried again. */
export class FileDownloadUnavailable extends Error {}

/** Downloads a file an agent sent (getFile, then the Bot API's file URL). The URL holds the token: never log it. */
export async function downloadTelegramFile(api: Api, apiRoot: string, token: string, fileId: string) {
  const file = await api.getFile(fileId);
  if (!file.file_path) throw new Error('Telegram returned no file path');
  if ((file.file_size ?? 0) > MEDIA_MAX_BYTES) throw new FileTooLarge();
  // The error never carries the URL: it holds the token.
  const response = await fetch(`${apiRoot}/file/bot${token}/${file.file_path}`).catch((error: unknown) => {
    throw new FileDownloadUnavailable(`file download failed: ${(error as Error).name}`);
  });
  if (response.status === 429 || response.status >= 500) {
    throw new FileDownloadUnavailable(`file download failed with HTTP ${response.status}`);
  }
  if (!response.ok) throw new Error(`file download failed with HTTP ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.byteLength > MEDIA_MAX_BYTES) throw new FileTooLarge();
  return bytes;
}
