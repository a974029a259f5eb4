import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiDispatcher } from './api-dispatcher.ts';
import { ApiError } from './api-error.ts';
import type { CallLog } from './call-log.ts';
import type { FakeState } from './fake-state.ts';
import type { Faults } from './faults.ts';
import { readApiRequest } from './request-params.ts';

interface RouterParts {
  state: FakeState;
  dispatcher: ApiDispatcher;
  faults: Faults;
  log: CallLog;
  closing: AbortSignal;
}

/** `POST|GET /bot<token>/<method>` and `GET /file/bot<token>/<file_path>`. */
export function createRequestRouter(parts: RouterParts) {
  return async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const client = new AbortController();
    response.on('close', () => {
      if (!response.writableFinished) client.abort();
    });
    const download = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (download) {
      const [, token = '', filePath = ''] = download;
      await serveFile(
        parts,
        decodeURIComponent(token),
        decodeURIComponent(filePath),
        response,
        client.signal,
      );
      return;
    }
    const api = /^\/bot([^/]+)\/([^/]*)$/.exec(url.pathname);
    if (!api) {
      sendJson(response, 404, new ApiError(404, 'Not Found').toJSON());
      return;
    }
    const token = decodeURIComponent(api[1] ?? '');
    const method = api[2] ?? '';
    const at = Date.now();
    if (token !== parts.state.token) {
      const error = new ApiError(401, 'Unauthorized');
      parts.dispatcher.recordRejected(method, {}, at, error);
      sendJson(response, 401, error.toJSON());
      return;
    }
    let parsed: Awaited<ReturnType<typeof readApiRequest>>;
    try {
      parsed = await readApiRequest(request, url);
    } catch (caught) {
      const error = caught instanceof ApiError ? caught : new ApiError(400, `Bad Request: ${String(caught)}`);
      parts.dispatcher.recordRejected(method, {}, at, error);
      sendJson(response, error.errorCode, error.toJSON());
      return;
    }
    const outcome = await parts.dispatcher.call({ method, ...parsed, clientSignal: client.signal });
    if (outcome.status === 0) response.destroy();
    else sendJson(response, outcome.status, outcome.body);
  };
}

async function serveFile(
  parts: RouterParts,
  token: string,
  filePath: string,
  response: ServerResponse,
  clientSignal: AbortSignal,
) {
  const at = Date.now();
  const params = { file_path: filePath };
  const record = (status: number, description?: string) =>
    parts.log.record({
      method: 'download',
      params,
      at,
      status,
      ok: status === 200,
      ...(description ? { errorCode: status || undefined, description } : {}),
    });
  if (token !== parts.state.token) {
    record(401, 'Unauthorized');
    sendJson(response, 401, new ApiError(401, 'Unauthorized').toJSON());
    return;
  }
  const fault = parts.faults.take('download', at);
  if (fault?.kind === 'fail') {
    record(fault.error.errorCode, fault.error.description);
    sendJson(response, fault.error.errorCode, fault.error.toJSON());
    return;
  }
  if (fault?.kind === 'hang') {
    await parts.faults.hold(fault.untilMs, AbortSignal.any([clientSignal, parts.closing]));
    record(0, 'hung by fake.hang(); the connection was dropped without an answer');
    response.destroy();
    return;
  }
  const file = parts.state.files.atPath(filePath);
  if (!file) {
    record(404, 'Not Found');
    sendJson(response, 404, new ApiError(404, 'Not Found').toJSON());
    return;
  }
  record(200);
  response.writeHead(200, { 'content-type': file.mimeType, 'content-length': file.bytes.length });
  response.end(file.bytes);
}

function sendJson(response: ServerResponse, status: number, body: unknown) {
  if (response.destroyed) return;
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}
