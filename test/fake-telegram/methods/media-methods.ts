import { badRequest } from '../api-error.ts';
import type { FakeState } from '../fake-state.ts';
import type { FileKind, StoredFile } from '../file-store.ts';
import { isLoopbackUrl } from '../loopback.ts';
import { imageDimensions, mimeTypeFor } from '../media-info.ts';
import { formatText } from '../message-text.ts';
import { chatIdParam, optionalString } from '../param-readers.ts';
import { readReplyMarkup } from '../reply-markup.ts';
import { attachedFile } from '../request-params.ts';
import type { Message, Params, PhotoSize, UploadedFile } from '../types.ts';
import type { MethodContext, MethodTable } from './method.ts';
import { inlineMarkup, replyTarget, storeBotMessage } from './outgoing-message.ts';

/** getFile refuses bigger files, like the cloud Bot API. */
const MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024;

export const mediaMethods: MethodTable = {
  async sendPhoto(params, context) {
    return sendMedia('photo', params, context);
  },

  async sendDocument(params, context) {
    return sendMedia('document', params, context);
  },

  getFile(params, { state }) {
    const fileId = optionalString(params, 'file_id');
    const file = fileId ? state.files.get(fileId) : undefined;
    if (!file) throw badRequest('invalid file_id');
    if (file.bytes.length > MAX_DOWNLOAD_BYTES) throw badRequest('file is too big');
    return {
      file_id: file.fileId,
      file_unique_id: file.fileUniqueId,
      file_size: file.bytes.length,
      file_path: file.filePath,
    };
  },
};

async function sendMedia(kind: FileKind, params: Params, { state, uploads, signal }: MethodContext) {
  const record = state.chats.writableChat(chatIdParam(params));
  const caption = formatText(params.caption, params.parse_mode, params.caption_entities, 'caption');
  const markup = readReplyMarkup(params.reply_markup, record.chat.type);
  const reply = replyTarget(params, record, state);
  const file = await inputFile(kind, params[kind], uploads, state, signal);
  const media: Partial<Message> =
    kind === 'photo' ? { photo: photoSizes(file) } : { document: documentOf(file) };
  return storeBotMessage(state, record, {
    ...media,
    caption: caption.text || undefined,
    caption_entities: caption.entities.length ? caption.entities : undefined,
    reply_markup: inlineMarkup(markup),
    reply_to_message: reply,
  });
}

/** An upload (`attach://…` or a part named like the field), a known file_id, or a URL. */
async function inputFile(
  kind: FileKind,
  value: unknown,
  uploads: Map<string, UploadedFile>,
  state: FakeState,
  signal: AbortSignal,
): Promise<StoredFile> {
  if (typeof value !== 'string' || value === '') throw badRequest(`there is no ${kind} in the request`);
  if (value.startsWith('attach://')) {
    const upload = attachedFile(value, uploads);
    if (!upload) throw badRequest(`there is no ${kind} in the request`);
    if (upload.bytes.length === 0) throw badRequest('file must be non-empty');
    return state.files.add(
      kind,
      upload.bytes,
      upload.fileName,
      mimeTypeFor(upload.fileName, upload.mimeType),
    );
  }
  if (/^https?:\/\//i.test(value)) return fromUrl(kind, value, state, signal);
  const known = state.files.get(value);
  if (!known) throw badRequest('wrong file identifier/HTTP URL specified');
  return known;
}

/**
 * Loopback URLs are fetched (the test's own server); any other URL is never contacted and stands
 * for an empty file.
 */
async function fromUrl(
  kind: FileKind,
  url: string,
  state: FakeState,
  signal: AbortSignal,
): Promise<StoredFile> {
  const parsed = new URL(url);
  const fileName = decodeURIComponent(parsed.pathname.split('/').pop() || kind);
  if (!isLoopbackUrl(url))
    return state.files.add(kind, Buffer.alloc(0), fileName, mimeTypeFor(fileName, undefined));
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(5000)]) });
  } catch {
    throw badRequest('wrong file identifier/HTTP URL specified');
  }
  if (!response.ok) throw badRequest('failed to get HTTP URL content');
  const bytes = Buffer.from(await response.arrayBuffer());
  return state.files.add(
    kind,
    bytes,
    fileName,
    mimeTypeFor(fileName, response.headers.get('content-type') ?? ''),
  );
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
