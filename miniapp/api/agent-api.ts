import type {
  AgentDeliveriesResponse,
  AgentEvent,
  AgentMeResponse,
  AgentQueueResponse,
  AgentReplyResponse,
  AgentTicketActionResponse,
  AgentTicketResponse,
  EraseResponse,
  TodayStatsResponse,
} from '../../contract/agent-api.ts';
import type { ErrorResponse } from '../../contract/api.ts';
import { readEventStream } from '../../contract/event-stream.ts';

/** The server answered with an error (the API's one JSON shape). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

/** The request never got an answer (offline, server down). */
export class NetworkError extends Error {
  override name = 'NetworkError';
}

export type AgentApi = ReturnType<typeof createAgentApi>;

/**
 * The Mini App's client of `/api/agent/*`. Every request carries Telegram's raw initData in
 * `Authorization: tma …`; the event stream is read with fetch (not EventSource) so it does too.
 */
export function createAgentApi(
  initData: string,
  baseUrl = '',
  fetchImpl: typeof fetch = (...a) => fetch(...a),
) {
  const request = async (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    headers.set('Authorization', `tma ${initData}`);
    if (typeof init.body === 'string') headers.set('Content-Type', 'application/json');
    let response: Response;
    try {
      response = await fetchImpl(`${baseUrl}/api/agent${path}`, { ...init, headers });
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      throw new NetworkError((error as Error).message);
    }
    if (!response.ok) throw await toApiError(response);
    return response;
  };
  const json = async <T>(path: string, init?: RequestInit) => (await (await request(path, init)).json()) as T;
  const post = <T>(path: string, body: unknown = {}) =>
    json<T>(path, { method: 'POST', body: JSON.stringify(body) });
  const ticketPath = (id: number) => `/tickets/${encodeURIComponent(String(id))}`;

  return {
    me: () => json<AgentMeResponse>('/me'),
    queue: () => json<AgentQueueResponse>('/queue'),
    ticket: (id: number) => json<AgentTicketResponse>(ticketPath(id)),
    claim: (id: number) => post<AgentTicketActionResponse>(`${ticketPath(id)}/claim`),
    pass: (id: number) => post<AgentTicketActionResponse>(`${ticketPath(id)}/pass`),
    close: (id: number, note?: string) =>
      post<AgentTicketActionResponse>(`${ticketPath(id)}/close`, note ? { note } : {}),
    reply: (id: number, body: string) => post<AgentReplyResponse>(`${ticketPath(id)}/messages`, { body }),
    /** Deletes one of the agent's own messages: the visitor no longer sees it. */
    deleteMessage: async (id: number, messageId: number) => {
      await request(`${ticketPath(id)}/messages/${encodeURIComponent(String(messageId))}`, {
        method: 'DELETE',
      });
    },
    /** The agent is typing a reply: the visitor sees "… is typing". */
    typing: async (id: number) => {
      await request(`${ticketPath(id)}/typing`, { method: 'POST' });
    },
    /** An attachment of a ticket's conversation (its `media_url` needs the visitor's token; this, the agent's). */
    media: async (id: number, mediaUrl: string) => {
      const file = mediaUrl.split('/').at(-1) ?? '';
      return (await request(`${ticketPath(id)}/media/${encodeURIComponent(file)}`)).blob();
    },
    /** Every conversation of the ticket's visitor as a file: a text transcript or JSON. */
    exportVisitor: async (id: number, format: 'json' | 'text') => {
      const response = await request(`${ticketPath(id)}/export?format=${format}`);
      const named = /filename="([^"]+)"/.exec(response.headers.get('Content-Disposition') ?? '')?.[1];
      return {
        blob: await response.blob(),
        fileName: named ?? `conversation.${format === 'json' ? 'json' : 'txt'}`,
      };
    },
    /** Erases the ticket's visitor completely (session, every ticket, messages, files). */
    eraseVisitor: (id: number) => post<EraseResponse>(`${ticketPath(id)}/erase`),
    deliveries: () => json<AgentDeliveriesResponse>('/deliveries'),
    todayStats: (since: Date) =>
      json<TodayStatsResponse>(`/stats/today?since=${encodeURIComponent(since.toISOString())}`),

    /** Streams live events until the stream ends (resolves) or breaks / is aborted (rejects). */
    async events(onEvent: (event: AgentEvent) => void, signal: AbortSignal) {
      const response = await request('/events', { signal, headers: { Accept: 'text/event-stream' } });
      await readEventStream(response, ({ event, data }) => {
        if (
          event === 'ready' ||
          event === 'ticket' ||
          event === 'message' ||
          event === 'message.updated' ||
          event === 'message.deleted'
        ) {
          onEvent({ type: event, data: JSON.parse(data) } as AgentEvent);
        }
      });
    },
  };
}

async function toApiError(response: Response) {
  try {
    const body = (await response.json()) as ErrorResponse;
    return new ApiError(response.status, body.error.code, body.error.message);
  } catch {
    return new ApiError(response.status, 'internal_error', `The server answered ${response.status}`);
  }
}
