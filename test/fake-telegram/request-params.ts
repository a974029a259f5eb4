import type { IncomingMessage } from 'node:http';
import { ApiError, badRequest } from './api-error.ts';
import type { Params, UploadedFile } from './types.ts';

/** Larger bodies answer 413, like the Bot API's 50 MB upload limit (plus some room). */
const MAX_BODY_BYTES = 60 * 1024 * 1024;

/** Form and query values are strings; these keys are turned into what a JSON body would carry. */
const INTEGER_KEYS = new Set([
  'chat_id',
  'from_chat_id',
  'message_id',
  'user_id',
  'offset',
  'limit',
  'timeout',
  'reply_to_message_id',
  'message_thread_id',
  'max_connections',
  'cache_time',
  'icon_color',
  'duration',
  'length',
  'width',
  'height',
]);
const BOOLEAN_KEYS = new Set([
  'show_alert',
  'drop_pending_updates',
  'disable_notification',
  'protect_content',
  'allow_sending_without_reply',
  'disable_web_page_preview',
  'has_spoiler',
  'disable_content_type_detection',
  'show_caption_above_media',
  'is_big',
]);
const JSON_KEYS = new Set([
  'reply_markup',
  'reply_parameters',
  'link_preview_options',
  'allowed_updates',
  'commands',
  'scope',
  'menu_button',
  'entities',
  'caption_entities',
  'reaction',
  'message_ids',
]);

export interface ParsedRequest {
  params: Params;
  /** File parts by part name; a parameter refers to one as `attach://<name>`. */
  uploads: Map<string, UploadedFile>;
}

/** Reads a Bot API request: query string plus a JSON, urlencoded or multipart body. */
export async function readApiRequest(request: IncomingMessage, url: URL): Promise<ParsedRequest> {
  const params: Params = {};
  const uploads = new Map<string, UploadedFile>();
  for (const [key, value] of url.searchParams) params[key] = fromFormValue(key, value);

  const body = await readBody(request);
  if (body.length === 0) return { params, uploads };
  const contentType = String(request.headers['content-type'] ?? '').toLowerCase();

  if (contentType.startsWith('application/json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw badRequest('invalid JSON in the request body');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw badRequest('the request body must be a JSON object');
    }
    Object.assign(params, parsed);
    return { params, uploads };
  }

  if (
    contentType.startsWith('multipart/form-data') ||
    contentType.startsWith('application/x-www-form-urlencoded')
  ) {
    let form: FormData;
    try {
      form = await new Request('http://fake.invalid/', {
        method: 'POST',
        headers: { 'content-type': String(request.headers['content-type']) },
        body: Uint8Array.from(body),
      }).formData();
    } catch {
      throw badRequest('can not parse the request body');
    }
    for (const [key, value] of form) {
      if (typeof value === 'string') {
        params[key] = fromFormValue(key, value);
      } else {
        uploads.set(key, {
          fileName: value.name || key,
          mimeType: value.type || 'application/octet-stream',
          bytes: Buffer.from(await value.arrayBuffer()),
        });
        params[key] ??= `attach://${key}`;
      }
    }
    return { params, uploads };
  }

  throw badRequest(`unsupported content type "${contentType}"`);
}

/** The params as recorded in `fake.calls`: `attach://` references replaced by a file summary. */
export function recordableParams(params: Params, uploads: Map<string, UploadedFile>): Params {
  if (uploads.size === 0) return params;
  const recorded: Params = {};
  for (const [key, value] of Object.entries(params)) {
    const upload = typeof value === 'string' ? attachedFile(value, uploads) : undefined;
    recorded[key] = upload
      ? { fileName: upload.fileName, mimeType: upload.mimeType, size: upload.bytes.length }
      : value;
  }
  return recorded;
}

export function attachedFile(value: string, uploads: Map<string, UploadedFile>): UploadedFile | undefined {
  return value.startsWith('attach://') ? uploads.get(value.slice('attach://'.length)) : undefined;
}

function fromFormValue(key: string, value: string): unknown {
  if (INTEGER_KEYS.has(key) && /^-?\d+$/.test(value)) return Number(value);
  if (BOOLEAN_KEYS.has(key) && (value === 'true' || value === 'false')) return value === 'true';
  if (JSON_KEYS.has(key)) {
    try {
      return JSON.parse(value);
    } catch {
      return value; // the method reports the broken JSON in Telegram's words
    }
  }
  return value;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new ApiError(413, 'Request Entity Too Large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
