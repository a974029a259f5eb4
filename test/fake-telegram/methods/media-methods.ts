import { badRequest } from '../api-error.ts';
import type { FakeState } from '../fake-state.ts';
import type { FileKind, StoredFile } from '../file-store.ts';
import { isLoopbackUrl } from '../loopback.ts';
import { type MediaDetails, mediaFields, mediaMimeType } from '../media-objects.ts';
import { formatText } from '../message-text.ts';
import { chatIdParam, optionalInteger, optionalString } from '../param-readers.ts';
import { readReplyMarkup } from '../reply-markup.ts';
import { attachedFile } from '../request-params.ts';
import type { Params, UploadedFile } from '../types.ts';
import type { MethodContext, MethodTable } from './method.ts';
import { inlineMarkup, placement, storeBotMessage, withoutUndefined } from './outgoing-message.ts';

/** getFile refuses bigger files, like the cloud Bot API. */
const MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024;

/** What each sending method takes: the field holding the file, and whether it has a caption. */
const MEDIA_METHODS: Record<string, { kind: FileKind; caption: boolean; byUrl: boolean }> = {
  sendPhoto: { kind: 'photo', caption: true, byUrl: true },
  sendDocument: { kind: 'document', caption: true, byUrl: true },
  sendVoice: { kind: 'voice', caption: true, byUrl: true },
  sendAudio: { kind: 'audio', caption: true, byUrl: true },
  sendAnimation: { kind: 'animation', caption: true, byUrl: true },
  // "Sending video notes by a URL is currently unsupported"; video notes and stickers have no caption.
  sendVideoNote: { kind: 'video_note', caption: false, byUrl: false },
  sendSticker: { kind: 'sticker', caption: false, byUrl: true },
};

export const mediaMethods: MethodTable = {
  ...Object.fromEntries(
    Object.entries(MEDIA_METHODS).map(([name, spec]) => [
      name,
      (params: Params, context: MethodContext) => sendMedia(spec, params, context),
    ]),
  ),

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

async function sendMedia(
  spec: (typeof MEDIA_METHODS)[string],
  params: Params,
  { state, uploads, signal }: MethodContext,
) {
  const { kind } = spec;
  const record = state.chats.writableChat(chatIdParam(params));
  const caption = spec.caption
    ? formatText(params.caption, params.parse_mode, params.caption_entities, 'caption')
    : { text: '', entities: [] };
  const markup = readReplyMarkup(params.reply_markup, record.chat.type);
  const place = placement(params, record, state);
  const value = params[kind];
  if (!spec.byUrl && typeof value === 'string' && /^https?:\/\//i.test(value)) {
    throw badRequest('wrong file identifier/HTTP URL specified');
  }
  const file = await inputFile(kind, value, uploads, state, signal);
  if (kind === 'sticker' && /^https?:/i.test(String(value)) && file.mimeType !== 'image/webp') {
    throw badRequest('wrong file identifier/HTTP URL specified'); // only .WEBP stickers by URL
  }
  const details: MediaDetails = {
    duration: optionalInteger(params, 'duration'),
    length: optionalInteger(params, 'length'),
    width: optionalInteger(params, 'width'),
    height: optionalInteger(params, 'height'),
    performer: optionalString(params, 'performer'),
    title: optionalString(params, 'title'),
    emoji: optionalString(params, 'emoji'),
  };
  return storeBotMessage(state, record, {
    ...place,
    ...mediaFields(kind, file, withoutUndefined(details)),
    caption: caption.text || undefined,
    caption_entities: caption.entities.length ? caption.entities : undefined,
    reply_markup: inlineMarkup(markup),
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
      mediaMimeType(kind, upload.fileName, upload.mimeType),
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
    return state.files.add(kind, Buffer.alloc(0), fileName, mediaMimeType(kind, fileName, undefined));
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
    mediaMimeType(kind, fileName, response.headers.get('content-type') ?? ''),
  );
}
