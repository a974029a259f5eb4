import { createServer, type RequestListener, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorResponse } from '../contract/api.ts';

export type HttpTimeouts = {
  /** The request's headers must have arrived this long after it began. */
  headersTimeoutMs: number;
  /** The whole request, body included, must have arrived within this. */
  requestTimeoutMs: number;
  /** An idle kept-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
};

/**
 * The HTTP server, with every wait on a client bounded: a client that sends its headers or its body too
 * slowly (or stalls) is answered 408 and disconnected, so it cannot hold a connection, an upload slot
 * or an incoming file for long. Only the request is timed: an event stream's request arrives at once,
 * and its long response is not cut.
 */
export function createHttpServer(listener: RequestListener, timeouts: HttpTimeouts): Server {
  const server = createServer(
    {
      headersTimeout: timeouts.headersTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      keepAliveTimeout: timeouts.keepAliveTimeoutMs,
      // Node checks the two timeouts on this interval (30 s by default, far too coarse for short ones).
      connectionsCheckingInterval: Math.min(
        5000,
        Math.max(100, Math.floor(Math.min(timeouts.headersTimeoutMs, timeouts.requestTimeoutMs) / 4)),
      ),
    },
    listener,
  );
  server.on('clientError', answerClientError);
  return server;
}

/** Node's answer to a broken or timed-out request, in the API's one error shape. */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex & { bytesWritten?: number }) {
  const [status, reason, message] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'Request Timeout', 'The request took too long to arrive']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', 'Request headers too large']
        : [400, 'Bad Request', 'Malformed HTTP request'];
  if (socket.writable && !socket.bytesWritten && error.code !== 'ECONNRESET') {
    const body = JSON.stringify({ error: { code: 'bad_request', message } } satisfies ErrorResponse);
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
