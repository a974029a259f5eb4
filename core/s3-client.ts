import { canonicalQuery, type SigV4Credentials, sha256Hex, signRequest, uriEncode } from './sigv4.ts';

/** An S3-compatible bucket (AWS S3, MinIO, R2, …), addressed path-style: `<endpoint>/<bucket>/<key>`. */
export type S3Config = SigV4Credentials & { endpoint: string; bucket: string };

export type S3Object = { key: string; size: number; lastModified: Date };

const EMPTY_SHA256 = sha256Hex('');
/** The longest an S3 call (a download's whole body included) may take: a hung bucket fails, not hangs. */
const REQUEST_TIMEOUT_MS = 60_000;
/** Objects per ListObjectsV2 page (S3's most). */
const LIST_PAGE = 1000;

/** An S3 error answer's `<Code>` (never the request's headers: they carry the signature). */
async function failure(method: string, key: string, response: Response): Promise<Error> {
  const text = await response.text().catch(() => '');
  const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? 'no error code';
  return new Error(`S3 ${method} ${key || '/'}: ${response.status} ${code}`);
}

const xmlText = (value: string) =>
  value
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

/**
 * The few S3 calls the media store needs, signed with SigV4 on node:crypto and sent with fetch: PUT,
 * GET, HEAD, DELETE of an object and ListObjectsV2. Payloads are signed (their SHA-256 is sent and
 * checked by the server). Errors name the call and S3's error code, never a credential.
 */
export function createS3Client(config: S3Config, { listPageSize = LIST_PAGE } = {}) {
  const endpoint = new URL(config.endpoint);
  const base = endpoint.pathname.replace(/\/+$/, '');

  const send = async (
    method: string,
    key: string,
    options: { query?: Record<string, string>; body?: Uint8Array; headers?: Record<string, string> } = {},
  ) => {
    const path = `${base}/${uriEncode(config.bucket)}${key ? `/${key.split('/').map(uriEncode).join('/')}` : ''}`;
    const query = options.query ?? {};
    const headers = signRequest({
      method,
      host: endpoint.host,
      path: path || '/',
      query,
      headers: options.headers,
      payloadHash: options.body ? sha256Hex(options.body) : EMPTY_SHA256,
      credentials: config,
    });
    delete headers.host; // fetch sends it, from the URL
    const search = canonicalQuery(query);
    // The time limit covers the call up to S3's answer, not the reading of its body: a file streamed
    // to a slow client may take longer than any fixed limit (the client's connection bounds it).
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new Error(`S3 ${method} timed out`)), REQUEST_TIMEOUT_MS);
    try {
      return await fetch(`${endpoint.origin}${path}${search ? `?${search}` : ''}`, {
        method,
        headers,
        body: options.body as BodyInit | undefined,
        signal: abort.signal,
      });
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    async put(key: string, body: Uint8Array, contentType: string): Promise<void> {
      const response = await send('PUT', key, { body, headers: { 'content-type': contentType } });
      if (!response.ok) throw await failure('PUT', key, response);
      await response.body?.cancel();
    },

    /** The object's answer (its body unread), or null when there is no such object. */
    async get(key: string): Promise<Response | null> {
      const response = await send('GET', key);
      if (response.status === 404) {
        await response.body?.cancel();
        return null;
      }
      if (!response.ok) throw await failure('GET', key, response);
      return response;
    },

    async head(key: string): Promise<{ size: number } | null> {
      const response = await send('HEAD', key);
      if (response.status === 404) return null;
      if (!response.ok) throw new Error(`S3 HEAD ${key}: ${response.status}`);
      return { size: Number(response.headers.get('content-length') ?? 0) };
    },

    /** Removes an object; harmless when there is none (S3 answers 204 either way). */
    async delete(key: string): Promise<void> {
      const response = await send('DELETE', key);
      if (!response.ok && response.status !== 404) throw await failure('DELETE', key, response);
      await response.body?.cancel();
    },

    /** The objects under a prefix, a page (ListObjectsV2 call) at a time. */
    async *list(prefix: string): AsyncGenerator<S3Object[]> {
      let token: string | undefined;
      do {
        const query: Record<string, string> = { 'list-type': '2', prefix, 'max-keys': String(listPageSize) };
        if (token) query['continuation-token'] = token;
        const response = await send('GET', '', { query });
        if (!response.ok) throw await failure('LIST', prefix, response);
        const xml = await response.text();
        const objects = [...xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)].map(([, item = '']) => ({
          key: xmlText(/<Key>([^<]*)<\/Key>/.exec(item)?.[1] ?? ''),
          size: Number(/<Size>(\d+)<\/Size>/.exec(item)?.[1] ?? 0),
          lastModified: new Date(/<LastModified>([^<]*)<\/LastModified>/.exec(item)?.[1] ?? 0),
        }));
        yield objects;
        token = /<IsTruncated>true<\/IsTruncated>/.test(xml)
          ? xmlText(/<NextContinuationToken>([^<]*)<\/NextContinuationToken>/.exec(xml)?.[1] ?? '')
          : undefined;
      } while (token);
    },
  };
}

export type S3Client = ReturnType<typeof createS3Client>;
