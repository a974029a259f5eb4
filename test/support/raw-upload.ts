import { request } from 'node:http';

const BOUNDARY = '----switchboard-test-boundary';

export type RawResponse = {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
};

/**
 * A multipart upload written by hand, part by part, so that a test can send some of a body and stall,
 * send more than the limits allow, or see the answer arrive before the body is complete. `fetch` can do
 * none of these.
 */
export function startRawUpload(
  url: string,
  options: {
    token: string;
    fileName?: string;
    type?: string;
    /** Content-Length to declare; without it the body is sent chunked. */
    declaredLength?: number;
    headers?: Record<string, string>;
  },
) {
  const target = new URL(url);
  const req = request({
    host: target.hostname,
    port: target.port,
    path: `${target.pathname}${target.search}`,
    method: 'POST',
    agent: false,
    headers: {
      authorization: `Bearer ${options.token}`,
      'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
      ...(options.declaredLength === undefined ? {} : { 'content-length': String(options.declaredLength) }),
      ...options.headers,
    },
  });
  let bytesSent = 0;
  let answered: RawResponse | undefined;
  let closed = false;
  const response = new Promise<RawResponse>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => {
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {}
        answered = { status: res.statusCode ?? 0, headers: res.headers, body };
        resolve(answered);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
  });
  response.catch(() => {});
  req.on('close', () => {
    closed = true;
  });
  // The socket may be reset once the server has answered and closed: that is the point of some tests.
  req.on('error', () => {});

  return {
    response,
    get bytesSent() {
      return bytesSent;
    },
    /** The answer, once it came. */
    get answered() {
      return answered;
    },
    /** Whether the connection is gone (answered and closed, reset, or destroyed). */
    get closed() {
      return closed;
    },
    /** The multipart headers of the file part (send first). */
    fileHead: () =>
      Buffer.from(
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${options.fileName ?? 'file.bin'}"\r\n` +
          `Content-Type: ${options.type ?? 'application/octet-stream'}\r\n\r\n`,
      ),
    /** The end of the form after the file's bytes. */
    tail: () => Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
    /** Writes bytes, waiting while the connection is congested; false once nothing more can be sent. */
    async send(bytes: Buffer): Promise<boolean> {
      if (closed || answered || req.destroyed) return false;
      bytesSent += bytes.length;
      if (!req.write(bytes)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            req.off('drain', done);
            req.off('close', done);
            resolve();
          };
          req.on('drain', done);
          req.on('close', done);
          response.then(done, done);
        });
      }
      return !closed && !answered && !req.destroyed;
    },
    /** Sends the request's headers alone (the body is still to come). */
    flushHeaders: () => req.flushHeaders(),
    end: () => req.end(),
    /** The client gives up: the connection is dropped. */
    destroy: () => req.destroy(),
  };
}

export type RawUpload = ReturnType<typeof startRawUpload>;
