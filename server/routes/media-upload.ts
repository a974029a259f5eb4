import { readFile } from 'node:fs/promises';
import { Writable } from 'node:stream';
import type Koa from 'koa';
import {
  mediaCaptionSchema,
  mediaUploadQuerySchema,
  type SendMessageResponse,
  UPLOAD_MAX_BYTES,
} from '../../contract/api.ts';
import { RateLimited } from '../../core/errors.ts';
import type { MediaStore } from '../../core/media-store.ts';
import type { SentMessage } from '../../core/message.service.ts';
import type { Services } from '../../core/services.ts';
import { webmOpusToOgg } from '../../core/voice-remux.ts';
import { HttpError } from '../http-error.ts';
import type { VisitorLimits } from '../limits/visitor-limits.ts';
import { enforceRateLimit } from '../middleware/rate-limit.ts';
import { FORM_OVERHEAD_BYTES, readMultipartUpload } from '../multipart.ts';
import { parseInput } from '../validation.ts';

/** A browser's voice recording in WebM, repackaged as the Ogg Telegram takes as a voice note. */
async function voiceAsOgg(path: string): Promise<Uint8Array> {
  const ogg = webmOpusToOgg(new Uint8Array(await readFile(path)));
  if (!ogg)
    throw new HttpError(400, 'validation_failed', 'file: a WebM voice recording must hold Opus audio');
  return ogg;
}

/** What a client refused for too many uploads at once waits: about one upload's time. */
const BUSY_RETRY_AFTER_SECONDS = 5;
const MB = 1024 * 1024;

export type MediaUploadDeps = {
  services: Services;
  media: MediaStore;
  /** The message rate limit, and uploads in progress per session and per client address. */
  limits: Pick<VisitorLimits, 'messages' | 'uploadsPerSession' | 'uploadsPerIp'>;
  quotaBytesPerSession: number;
  /** The category as configured (any case accepted); throws 400 for an unknown one. */
  canonicalCategory: (category: string | undefined) => string | undefined;
};

const tooLarge = () => new HttpError(413, 'payload_too_large', `file: ${UPLOAD_MAX_BYTES / MB} MB at most`);
const quotaUsedUp = (quotaBytes: number) =>
  new HttpError(
    413,
    'payload_too_large',
    `This conversation's attachments are limited to ${Math.round(quotaBytes / MB)} MB in all`,
  );

/**
 * `POST /api/session/:id/media` for the token's own session: a file (and caption) becomes a visitor
 * message. Whatever can refuse without the body comes first (type of body, the query, declared size, the
 * message rate limit, uploads in progress, the session's media quota), so a refused body is never read:
 * the answer closes the connection. The file streams to an incoming file on disk, is moved into the
 * session's media only once everything is accepted, and is removed again if its message cannot be
 * stored: a refused or failed upload leaves no file.
 *
 * `?client_id=`: the upload's id, kept by the client across its retries (in the query, not the form, so
 * that it is known before the body). A retry of an upload stored before is answered with that message
 * and writes no file; one stored by a concurrent request meanwhile is answered likewise, its own file
 * removed.
 */
export async function receiveMediaMessage(ctx: Koa.Context, sessionId: string, deps: MediaUploadDeps) {
  const { media, quotaBytesPerSession, services } = deps;
  try {
    if (!ctx.is('multipart/form-data')) {
      throw new HttpError(400, 'validation_failed', 'body: must be multipart/form-data with a `file` field');
    }
    const { client_id: clientId } = parseInput(mediaUploadQuerySchema, ctx.query, 'query');
    const declared = Number(ctx.get('Content-Length') || 0);
    if (declared > UPLOAD_MAX_BYTES + FORM_OVERHEAD_BYTES) throw tooLarge();
    const { limits } = deps;
    await enforceRateLimit(limits.messages, `session:${sessionId}`);

    // A place per session and per address while the body streams (leases in a shared store: an
    // instance that dies mid-upload gives them back within the lease's time).
    const releaseSession = await limits.uploadsPerSession.acquire(sessionId);
    const releaseIp = releaseSession && (await limits.uploadsPerIp.acquire(ctx.ip));
    try {
      if (!releaseIp) throw new RateLimited(BUSY_RETRY_AFTER_SECONDS);
      const earlier = clientId ? await services.messages.findVisitorSend(sessionId, clientId) : null;
      if (earlier) {
        await answerRetry(ctx, sessionId, deps, earlier);
        return;
      }
      const quotaLeft = quotaBytesPerSession - (await media.usage(sessionId));
      if (quotaLeft <= 0 || declared > quotaLeft + FORM_OVERHEAD_BYTES)
        throw quotaUsedUp(quotaBytesPerSession);
      await storeUpload(ctx, sessionId, deps, quotaLeft, clientId);
    } finally {
      releaseIp?.();
      releaseSession?.();
    }
  } catch (error) {
    // The rest of a refused body is not worth reading: answer, then close.
    if (!ctx.req.complete) ctx.set('Connection', 'close');
    throw error;
  }
}

/** The form as it streams in: the file into `sink` (its type checked on the way), the caption and category checked. */
async function readUploadForm(
  ctx: Koa.Context,
  deps: MediaUploadDeps,
  sink: Writable,
  maxFileBytes: number,
  tooLargeError: () => HttpError,
) {
  const { file, fields } = await readMultipartUpload(ctx.req, {
    fileField: 'file',
    maxFileBytes,
    tooLarge: tooLargeError,
    sink,
  });
  if (!file) throw new HttpError(400, 'validation_failed', 'file: a file is required');
  if (file.size === 0) throw new HttpError(400, 'validation_failed', 'file: is empty');
  const body = parseInput(mediaCaptionSchema, fields.get('body') ?? '', 'body');
  const category = deps.canonicalCategory(fields.get('category') || undefined);
  return { file, body, category };
}

const answer = (ctx: Koa.Context, sent: SentMessage) => {
  ctx.status = 201;
  ctx.body = { message: sent.message, ticket: sent.ticket } satisfies SendMessageResponse;
};

/**
 * A retry of an upload stored before (its first answer was lost): its body is read to the end, checked
 * as any upload's, and dropped (nothing goes to disk), so the client, which sends it whole before it
 * reads an answer, gets this one on a connection that stays open; then the stored message is the answer.
 */
async function answerRetry(ctx: Koa.Context, sessionId: string, deps: MediaUploadDeps, earlier: SentMessage) {
  const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
  const { body } = await readUploadForm(ctx, deps, discard, UPLOAD_MAX_BYTES, tooLarge);
  answer(ctx, deps.services.messages.answerVisitorRetry(earlier, { sessionId, body, withFile: true }));
}

async function storeUpload(
  ctx: Koa.Context,
  sessionId: string,
  deps: MediaUploadDeps,
  quotaLeft: number,
  clientId: string | undefined,
) {
  const { media, services } = deps;
  const incoming = await media.createIncoming();
  try {
    const { file, body, category } = await readUploadForm(
      ctx,
      deps,
      incoming.stream,
      Math.min(UPLOAD_MAX_BYTES, quotaLeft),
      quotaLeft < UPLOAD_MAX_BYTES ? () => quotaUsedUp(deps.quotaBytesPerSession) : tooLarge,
    );
    // Another upload of the session may have finished meanwhile.
    if ((await media.usage(sessionId)) + file.size > deps.quotaBytesPerSession) {
      throw quotaUsedUp(deps.quotaBytesPerSession);
    }

    const mediaUrl =
      file.mimeType === 'audio/webm'
        ? await media.save(sessionId, await voiceAsOgg(incoming.path), 'audio/ogg')
        : await media.keep(incoming, sessionId, file.mimeType);
    let sent: SentMessage;
    try {
      sent = await services.messages.sendVisitorMessage({ sessionId, body, category, mediaUrl, clientId });
    } catch (error) {
      // The visitor gets the reason the message was refused, not a failed clean-up's: a file left
      // behind is one no message references, which the orphan sweep removes.
      await media.discard(mediaUrl).catch(() => {});
      throw error;
    }
    // A concurrent request with the same client id stored the message first, with its own file. (A
    // duplicate may also be this request's own message, stored by a commit whose answer was lost: its
    // file stays.)
    if (sent.duplicate && sent.message.media_url !== mediaUrl) await media.discard(mediaUrl).catch(() => {});
    answer(ctx, sent);
  } finally {
    await media.removeIncoming(incoming);
  }
}
