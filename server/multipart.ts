import type Koa from 'koa';
import { HttpError } from './http-error.ts';

/**
 * Reads a multipart/form-data body of at most `maxBytes` (answering 413 beyond, without reading it all)
 * and parses it with the platform's FormData.
 */
export async function readMultipart(ctx: Koa.Context, maxBytes: number): Promise<FormData> {
  const type = ctx.get('Content-Type');
  if (!type.startsWith('multipart/form-data')) {
    throw new HttpError(400, 'validation_failed', 'body: must be multipart/form-data with a `file` field');
  }
  const declared = Number(ctx.get('Content-Length') || 0);
  if (declared > maxBytes)
    throw new HttpError(413, 'payload_too_large', `Uploads are limited to ${maxBytes} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      ctx.set('Connection', 'close');
      throw new HttpError(413, 'payload_too_large', `Uploads are limited to ${maxBytes} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  try {
    return await new Response(Buffer.concat(chunks), { headers: { 'content-type': type } }).formData();
  } catch {
    throw new HttpError(400, 'validation_failed', 'body: malformed multipart/form-data');
  }
}
