import { httpClient } from './http.ts';

type ConversationMessage = {
  id: number;
  sender: string;
  body: string;
  media_url: string | null;
  agent_name: string | null;
};

/** A website visitor talking to the real server over HTTP, as the widget does. */
export async function newVisitor(baseUrl: string, details: { locale?: string; referer?: string } = {}) {
  const http = httpClient(baseUrl);
  const { sessionId, token } = await http.newSession(details);
  return {
    sessionId,
    token,
    http,
    async say(body: string, category?: string) {
      const response = await http.post(`/api/session/${sessionId}/messages`, {
        token,
        json: { body, category },
      });
      if (response.status !== 201)
        throw new Error(`send failed: ${response.status} ${JSON.stringify(response.body)}`);
      return response.body as { message: { id: number }; ticket: { id: number; status: string } };
    },
    async conversation() {
      const response = await http.get(`/api/session/${sessionId}`, { token });
      return response.body as {
        ticket: { id: number; status: string; agent_name: string | null; contact_requested: boolean } | null;
        messages: ConversationMessage[];
      };
    },
    async messages(sender?: string) {
      const { messages } = await this.conversation();
      return sender ? messages.filter((m) => m.sender === sender) : messages;
    },
  };
}

export type Visitor = Awaited<ReturnType<typeof newVisitor>>;

/** Polls `check` until it returns a truthy value (for state that arrives asynchronously). */
export async function eventually<T>(
  check: () => Promise<T | undefined | null | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${last}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
