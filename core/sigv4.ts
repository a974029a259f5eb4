import { createHash, createHmac } from 'node:crypto';

/** Credentials and scope of AWS Signature Version 4 (S3 and S3-compatible stores). */
export type SigV4Credentials = { accessKeyId: string; secretAccessKey: string; region: string };

export const sha256Hex = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/** Percent-encoding as SigV4 wants it: every byte but A–Z a–z 0–9 `-` `_` `.` `~`. */
export function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** The query string in SigV4's canonical form (sorted by encoded name); also what the request sends. */
export function canonicalQuery(query: Record<string, string>): string {
  return Object.entries(query)
    .map(([name, value]) => [uriEncode(name), uriEncode(value)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

/** `20130524T000000Z` */
const amzDate = (date: Date) =>
  date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

/**
 * Signs a request with AWS Signature Version 4 in the `Authorization` header (S3's header-based
 * authentication). `path` is already encoded (each segment with `uriEncode`); every header given is
 * signed, with `host`, `x-amz-date` and `x-amz-content-sha256` (the payload's SHA-256, hex). Returns the
 * headers to send: the given ones and those three, the signature in `authorization`.
 */
export function signRequest(request: {
  method: string;
  host: string;
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  payloadHash: string;
  credentials: SigV4Credentials;
  service?: string;
  now?: Date;
}): Record<string, string> {
  const { credentials } = request;
  const stamp = amzDate(request.now ?? new Date());
  const day = stamp.slice(0, 8);
  const headers: Record<string, string> = {
    ...Object.fromEntries(Object.entries(request.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
    host: request.host,
    'x-amz-date': stamp,
    'x-amz-content-sha256': request.payloadHash,
  };
  const names = Object.keys(headers).sort();
  const canonicalRequest = [
    request.method,
    request.path,
    canonicalQuery(request.query ?? {}),
    ...names.map((name) => `${name}:${String(headers[name]).trim().replace(/\s+/g, ' ')}`),
    '',
    names.join(';'),
    request.payloadHash,
  ].join('\n');
  const scope = `${day}/${credentials.region}/${request.service ?? 's3'}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', stamp, scope, sha256Hex(canonicalRequest)].join('\n');
  let key = hmac(`AWS4${credentials.secretAccessKey}`, day);
  for (const part of [credentials.region, request.service ?? 's3', 'aws4_request']) key = hmac(key, part);
  const signature = createHmac('sha256', key).update(stringToSign).digest('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope},SignedHeaders=${names.join(';')},Signature=${signature}`;
  return headers;
}
