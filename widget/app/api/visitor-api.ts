import type {
  CloseTicketResponse,
  ContactRequest,
  ConversationResponse,
  CreateSessionResponse,
  ErrorResponse,
  IdentifyRequest,
  IdentifyResponse,
  MessageResponse,
  PageContext,
  SendMessageResponse,
  WidgetConfigResponse,
} from '../../../contract/api.ts';

/** The server answered with an error (the API's one JSON shape). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** From `Retry-After` on 429. */
  readonly retryAfterSeconds?: number;
  constructor(status: number, code: string, message: string, retryAfterSeconds?: number) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The request never got an answer (offline, server down). */
export class NetworkError extends Error {}

export type VisitorCredentials = { sessionId: string; token: string };
export type VisitorApi = ReturnType<typeof createVisitorApi>;

/**
 * The widget's client of the visitor API (DESIGN.md §4). The token travels only in the Authorization
 * header — never in a URL — so media and the event stream are fetched, not linked.
 */
export function createVisitorApi(baseUrl = '', fetchImpl: typeof fetch = (...args) => fetch(...args)) {
  const request = async (path: string, init: RequestInit = {}, auth?: VisitorCredentials) => {
    const headers = new Headers(init.headers);
    if (auth) headers.set('Authorization', `Bearer ${auth.token}`);
    if (typeof init.body === 'string') headers.set('Content-Type', 'application/json');
    let response: Response;
    try {
      response = await fetchImpl(`${baseUrl}${path}`, { ...init, headers });
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      throw new NetworkError((error as Error).message);
    }
    if (!response.ok) throw await toApiError(response);
    return response;
  };
  const json = async <T>(path: string, init: RequestInit = {}, auth?: VisitorCredentials) =>
    (await (await request(path, init, auth)).json()) as T;
  const post = (body: unknown) => ({ method: 'POST', body: JSON.stringify(body) });
  const sessionPath = (auth: VisitorCredentials) => `/api/session/${encodeURIComponent(auth.sessionId)}`;

  return {
    config: () => json<WidgetConfigResponse>('/api/config'),

    createSession: (details: { locale?: string; referer?: string; context?: PageContext }) =>
      json<CreateSessionResponse>('/api/session', post(details)),

    /** Where the visitor is now (the host page changed). */
    updateContext: (auth: VisitorCredentials, context: PageContext) =>
      request(`${sessionPath(auth)}/context`, { method: 'PUT', body: JSON.stringify(context) }, auth),

    /** The host site identified the visitor: answers the credentials of the identity's one session. */
    identify: (auth: VisitorCredentials, identity: IdentifyRequest) =>
      json<IdentifyResponse>(`${sessionPath(auth)}/identify`, post(identity), auth),

    /** The whole conversation, or with `since` (a `revision` it answered) only what changed since. */
    conversation: (auth: VisitorCredentials, since?: number | null) =>
      json<ConversationResponse>(`${sessionPath(auth)}${since == null ? '' : `?since=${since}`}`, {}, auth),

    /** `client_id`: this send's id, the same on every retry: the server stores the message once. */
    sendMessage: (
      auth: VisitorCredentials,
      message: { body: string; category?: string; client_id?: string },
    ) => json<SendMessageResponse>(`${sessionPath(auth)}/messages`, post(message), auth),

    /** `client_id` as for sendMessage (in the query: the server reads it before the file). */
    uploadFile: (
      auth: VisitorCredentials,
      upload: { file: File; body?: string; category?: string; client_id?: string },
    ) => {
      const form = new FormData();
      form.set('file', upload.file);
      if (upload.body) form.set('body', upload.body);
      if (upload.category) form.set('category', upload.category);
      const query = upload.client_id ? `?client_id=${encodeURIComponent(upload.client_id)}` : '';
      return json<SendMessageResponse>(
        `${sessionPath(auth)}/media${query}`,
        { method: 'POST', body: form },
        auth,
      );
    },

    /** Changes one of the visitor's recent messages (within the edit window). */
    editMessage: (auth: VisitorCredentials, messageId: number, body: string) =>
      json<MessageResponse>(
        `${sessionPath(auth)}/messages/${messageId}`,
        { method: 'PATCH', body: JSON.stringify({ body }) },
        auth,
      ),

    /** Deletes one of the visitor's recent messages (within the edit window). */
    deleteMessage: (auth: VisitorCredentials, messageId: number) =>
      request(`${sessionPath(auth)}/messages/${messageId}`, { method: 'DELETE' }, auth),

    /** The visitor's reaction to an agent's message; null takes it back. */
    react: (auth: VisitorCredentials, messageId: number, emoji: string | null) =>
      json<MessageResponse>(
        `${sessionPath(auth)}/messages/${messageId}/reaction`,
        { method: 'PUT', body: JSON.stringify({ emoji }) },
        auth,
      ),

    /** The visitor is typing (the agent sees "typing…" in Telegram). */
    typing: (auth: VisitorCredentials) => request(`${sessionPath(auth)}/typing`, post({}), auth),

    saveContact: (auth: VisitorCredentials, contact: ContactRequest) =>
      json<{ ok: true }>(`${sessionPath(auth)}/contact`, post(contact), auth),

    closeTicket: (auth: VisitorCredentials, ticketId: number) =>
      json<CloseTicketResponse>(`/api/tickets/${ticketId}/close`, post({}), auth),

    /** What the waiting conversation is about (a category key, or null for none). */
    setCategory: (auth: VisitorCredentials, ticketId: number, category: string | null) =>
      json<CloseTicketResponse>(
        `/api/tickets/${ticketId}/category`,
        { method: 'PUT', body: JSON.stringify({ category }) },
        auth,
      ),

    rateTicket: (auth: VisitorCredentials, ticketId: number, rating: { rating: number; comment?: string }) =>
      json<CloseTicketResponse>(`/api/tickets/${ticketId}/rating`, post(rating), auth),

    /** An attachment's bytes (media URLs need the token, so they cannot be an `<img src>`). */
    media: async (auth: VisitorCredentials, mediaUrl: string) => (await request(mediaUrl, {}, auth)).blob(),

    /** The visitor's own conversations as a plain-text transcript (`lang`: its wording). */
    transcript: async (auth: VisitorCredentials, lang: string) =>
      (await request(`${sessionPath(auth)}/transcript?lang=${lang === 'ru' ? 'ru' : 'en'}`, {}, auth)).blob(),

    /** The session's event stream (SSE over fetch); `lastEventId` resumes after that message. */
    events: (auth: VisitorCredentials, lastEventId: number | undefined, signal: AbortSignal) =>
      request(
        `${sessionPath(auth)}/events`,
        {
          signal,
          headers: {
            Accept: 'text/event-stream',
            ...(lastEventId === undefined ? {} : { 'Last-Event-ID': String(lastEventId) }),
          },
        },
        auth,
      ),
  };
}

async function toApiError(response: Response) {
  const retryAfter = Number(response.headers.get('Retry-After'));
  let body: Partial<ErrorResponse> = {};
  try {
    body = (await response.json()) as ErrorResponse;
  } catch {
    // not JSON (a proxy's error page)
  }
  return new ApiError(
    response.status,
    body.error?.code ?? 'http_error',
    body.error?.message ?? `HTTP ${response.status}`,
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
  );
}
