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
  TransferCandidatesResponse,
} from '../../contract/agent-api.ts';
import type { ErrorResponse } from '../../contract/api.ts';
import type {
  CannedRepliesResponse,
  CannedReplyInput,
  CannedReplyResponse,
  TicketCannedRepliesResponse,
} from '../../contract/canned-replies-api.ts';
import { readEventStream } from '../../contract/event-stream.ts';
import type { AddNoteResponse, TicketNotesResponse } from '../../contract/notes-api.ts';
import type { ReportResponse } from '../../contract/reports-api.ts';
import type { EarlierTicketsResponse, SearchResponse } from '../../contract/search-api.ts';
import type { OpenTagsResponse, TicketTagsResponse } from '../../contract/tags-api.ts';
import type {
  PresenceStateView,
  TeamMemberResponse,
  TeamResponse,
  TicketPriority,
  WorkingDayView,
} from '../../contract/team-api.ts';

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
    /** Who the ticket can be handed to, advised order first. */
    transferCandidates: (id: number) =>
      json<TransferCandidatesResponse>(`${ticketPath(id)}/transfer-candidates`),
    /** Hands the agent's ticket to another agent (their id) or back to the queue, with an optional note. */
    transfer: (id: number, to: number | 'queue', note?: string) =>
      post<AgentTicketActionResponse>(`${ticketPath(id)}/transfer`, note ? { to, note } : { to }),
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
    /** Canned replies (contract/canned-replies-api.ts): the team's snippets, and filled for a ticket. */
    cannedReplies: () => json<CannedRepliesResponse>('/canned-replies'),
    ticketCannedReplies: (id: number) =>
      json<TicketCannedRepliesResponse>(`${ticketPath(id)}/canned-replies`),
    saveCannedReply: (replyId: number | null, input: CannedReplyInput) =>
      replyId === null
        ? post<CannedReplyResponse>('/canned-replies', input)
        : json<CannedReplyResponse>(`/canned-replies/${encodeURIComponent(String(replyId))}`, {
            method: 'PUT',
            body: JSON.stringify(input),
          }),
    deleteCannedReply: async (replyId: number) => {
      await request(`/canned-replies/${encodeURIComponent(String(replyId))}`, { method: 'DELETE' });
    },
    /** Internal notes (contract/notes-api.ts): agents only. */
    notes: (id: number) => json<TicketNotesResponse>(`${ticketPath(id)}/notes`),
    addNote: (id: number, body: string) => post<AddNoteResponse>(`${ticketPath(id)}/notes`, { body }),
    /** Tags (contract/tags-api.ts): a ticket's, and those on open tickets (the queue's filter). */
    tags: (id: number) => json<TicketTagsResponse>(`${ticketPath(id)}/tags`),
    addTags: (id: number, tags: string[]) => post<TicketTagsResponse>(`${ticketPath(id)}/tags`, { tags }),
    removeTag: (id: number, tag: string) =>
      json<TicketTagsResponse>(`${ticketPath(id)}/tags/${encodeURIComponent(tag)}`, { method: 'DELETE' }),
    openTags: () => json<OpenTagsResponse>('/tags'),
    /** Search (contract/search-api.ts): criteria as query parameters; the visitor's earlier tickets. */
    search: (criteria: Record<string, string>, signal?: AbortSignal) =>
      json<SearchResponse>(`/search?${new URLSearchParams(criteria)}`, { signal }),
    earlierTickets: (id: number) => json<EarlierTicketsResponse>(`${ticketPath(id)}/earlier`),
    /** Reports (contract/reports-api.ts) for whole days in a time zone, and the same as a CSV file. */
    report: (period: { from: string; to: string; tz: string }) =>
      json<ReportResponse>(`/reports?${new URLSearchParams(period)}`),
    reportCsv: async (period: { from: string; to: string; tz: string }) => {
      const response = await request(`/reports.csv?${new URLSearchParams(period)}`);
      const named = /filename="([^"]+)"/.exec(response.headers.get('Content-Disposition') ?? '')?.[1];
      return { blob: await response.blob(), fileName: named ?? 'switchboard-report.csv' };
    },
    deliveries: () => json<AgentDeliveriesResponse>('/deliveries'),
    todayStats: (since: Date) =>
      json<TodayStatsResponse>(`/stats/today?since=${encodeURIComponent(since.toISOString())}`),
    /** The Team screen: everyone's presence, skills and load; whether the agent is an admin. */
    team: () => json<TeamResponse>('/team'),
    setPresence: (state: PresenceStateView) =>
      json<TeamMemberResponse>('/team/me/presence', { method: 'PUT', body: JSON.stringify({ state }) }),
    /** `me`, or another agent (admins only). */
    setSkills: (agentId: number | 'me', skills: string[]) =>
      json<TeamMemberResponse>(`/team/${encodeURIComponent(String(agentId))}/skills`, {
        method: 'PUT',
        body: JSON.stringify({ skills }),
      }),
    setWorkingHours: (timeZone: string, days: WorkingDayView[]) =>
      json<TeamMemberResponse>('/team/me/hours', {
        method: 'PUT',
        body: JSON.stringify({ time_zone: timeZone, days }),
      }),
    clearWorkingHours: () => json<TeamMemberResponse>('/team/me/hours', { method: 'DELETE' }),
    setPriority: (id: number, priority: TicketPriority) =>
      json<AgentTicketActionResponse>(`${ticketPath(id)}/priority`, {
        method: 'PUT',
        body: JSON.stringify({ priority }),
      }),

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
