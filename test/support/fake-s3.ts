import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type StoredObject = { bytes: Buffer; contentType: string; lastModified: Date };

/** The most a request's x-amz-date may differ from the server's clock (S3: 15 minutes). */
const MAX_SKEW_MS = 15 * 60 * 1000;

/** RFC 3986 encoding of every byte but the unreserved ones, as S3 canonicalises names and values. */
const encode = (value: string) =>
  [...Buffer.from(value, 'utf8')]
    .map((byte) => {
      const c = String.fromCharCode(byte);
      return /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');

const xml = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * A small S3 for tests: one bucket, path-style, objects in memory. Every request must carry a valid
 * AWS Signature Version 4 in its Authorization header, checked the way S3 checks it (the canonical
 * request rebuilt from what arrived, the signed payload hash against the body, the date within 15
 * minutes, the scope's region and service); otherwise 403 with S3's error code.
 */
export async function startFakeS3(options: {
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}) {
  const objects = new Map<string, StoredObject>();
  const refused: string[] = [];
  let listCalls = 0;

  const fail = (res: ServerResponse, status: number, code: string) => {
    res.writeHead(status, { 'content-type': 'application/xml' });
    res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code></Error>`);
  };

  /** The request's signature error code, or null when it is signed correctly. */
  const verify = (req: IncomingMessage, rawPath: string, rawQuery: string, body: Buffer): string | null => {
    const auth =
      /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/.exec(
        req.headers.authorization ?? '',
      );
    if (!auth) return 'AccessDenied';
    const [, accessKeyId, day, region, service, signedHeaders = '', signature = ''] = auth;
    if (accessKeyId !== options.accessKeyId) return 'InvalidAccessKeyId';
    if (region !== options.region || service !== 's3') return 'AuthorizationHeaderMalformed';
    const names = signedHeaders.split(';');
    for (const required of ['host', 'x-amz-date', 'x-amz-content-sha256']) {
      if (!names.includes(required)) return 'AccessDenied';
    }
    const amzDate = String(req.headers['x-amz-date'] ?? '');
    const when = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
    if (!when || amzDate.slice(0, 8) !== day) return 'AccessDenied';
    const [year, month, date, hours, minutes, seconds] = when.slice(1).map(Number) as number[];
    const time = Date.UTC(year as number, (month as number) - 1, date, hours, minutes, seconds);
    if (Math.abs(Date.now() - time) > MAX_SKEW_MS) return 'RequestTimeTooSkewed';
    const payloadHash = String(req.headers['x-amz-content-sha256'] ?? '');
    if (payloadHash !== createHash('sha256').update(body).digest('hex')) return 'XAmzContentSHA256Mismatch';

    const query = rawQuery
      ? rawQuery
          .split('&')
          .map((pair) => {
            const [name = '', value = ''] = pair.split('=');
            return [encode(decodeURIComponent(name)), encode(decodeURIComponent(value))] as const;
          })
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([name, value]) => `${name}=${value}`)
          .join('&')
      : '';
    const header = (name: string) => {
      const value = req.headers[name];
      return (Array.isArray(value) ? value.join(',') : (value ?? '')).trim().replace(/\s+/g, ' ');
    };
    const canonical = [
      req.method,
      rawPath,
      query,
      ...names.map((name) => `${name}:${header(name)}`),
      '',
      signedHeaders,
      payloadHash,
    ].join('\n');
    const stringToSign = [
      'AWS4-HMAC-SHA256',
      amzDate,
      `${day}/${region}/s3/aws4_request`,
      createHash('sha256').update(canonical).digest('hex'),
    ].join('\n');
    let key: Buffer = createHmac('sha256', `AWS4${options.secretAccessKey}`)
      .update(day as string)
      .digest();
    for (const part of [region as string, 's3', 'aws4_request'])
      key = createHmac('sha256', key).update(part).digest();
    const expected = createHmac('sha256', key).update(stringToSign).digest();
    return timingSafeEqual(expected, Buffer.from(signature, 'hex')) ? null : 'SignatureDoesNotMatch';
  };

  const list = (res: ServerResponse, params: URLSearchParams) => {
    listCalls++;
    const prefix = params.get('prefix') ?? '';
    const max = Math.min(Number(params.get('max-keys') ?? 1000), 1000);
    const after = params.get('continuation-token') ?? '';
    const keys = [...objects.keys()].filter((key) => key.startsWith(prefix) && key > after).sort();
    const page = keys.slice(0, max);
    const truncated = keys.length > max;
    const contents = page
      .map((key) => {
        const object = objects.get(key) as StoredObject;
        return `<Contents><Key>${xml(key)}</Key><LastModified>${object.lastModified.toISOString()}</LastModified><Size>${object.bytes.length}</Size></Contents>`;
      })
      .join('');
    res.writeHead(200, { 'content-type': 'application/xml' });
    res.end(
      `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>${options.bucket}</Name><Prefix>${xml(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${max}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${contents}${truncated ? `<NextContinuationToken>${xml(page.at(-1) as string)}</NextContinuationToken>` : ''}</ListBucketResult>`,
    );
  };

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const [rawPath = '/', rawQuery = ''] = (req.url ?? '/').split('?');
    const problem = verify(req, rawPath, rawQuery, body);
    if (problem) {
      refused.push(problem);
      return fail(res, problem === 'XAmzContentSHA256Mismatch' ? 400 : 403, problem);
    }
    const [, bucket = '', ...keyParts] = rawPath.split('/').map(decodeURIComponent);
    if (bucket !== options.bucket) return fail(res, 404, 'NoSuchBucket');
    const key = keyParts.join('/');
    const params = new URLSearchParams(rawQuery);
    if (!key) {
      if (req.method === 'GET' && params.get('list-type') === '2') return list(res, params);
      return fail(res, 400, 'InvalidRequest');
    }
    const object = objects.get(key);
    switch (req.method) {
      case 'PUT':
        objects.set(key, {
          bytes: body,
          contentType: req.headers['content-type'] ?? 'application/octet-stream',
          lastModified: new Date(),
        });
        res.writeHead(200, { etag: `"${createHash('md5').update(body).digest('hex')}"` });
        return res.end();
      case 'GET':
      case 'HEAD':
        if (!object) return req.method === 'HEAD' ? res.writeHead(404).end() : fail(res, 404, 'NoSuchKey');
        res.writeHead(200, {
          'content-type': object.contentType,
          'content-length': object.bytes.length,
          'last-modified': object.lastModified.toUTCString(),
        });
        return res.end(req.method === 'GET' ? object.bytes : undefined);
      case 'DELETE':
        objects.delete(key);
        res.writeHead(204);
        return res.end();
      default:
        return fail(res, 405, 'MethodNotAllowed');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    /** The stored objects' keys, sorted. */
    keys: () => [...objects.keys()].sort(),
    object: (key: string) => objects.get(key),
    /** Makes an object look `ms` older (its LastModified). */
    age(key: string, ms: number) {
      const object = objects.get(key);
      if (object) object.lastModified = new Date(object.lastModified.getTime() - ms);
    },
    /** The error codes of refused requests, in order. */
    refused,
    listCalls: () => listCalls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type FakeS3 = Awaited<ReturnType<typeof startFakeS3>>;
