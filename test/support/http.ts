/** A small fetch wrapper for API tests: JSON in, `{ status, headers, body }` out. */
export function httpClient(baseUrl: string) {
  const request = async (
    method: string,
    path: string,
    options: { token?: string; json?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
  ) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined = options.rawBody;
    if (options.json !== undefined) body = JSON.stringify(options.json);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
    const text = await response.text();
    // biome-ignore lint/suspicious/noExplicitAny: test responses are checked field by field.
    let parsed: any = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {}
    return { status: response.status, headers: response.headers, body: parsed };
  };
  return {
    get: (path: string, options?: Parameters<typeof request>[2]) => request('GET', path, options),
    post: (path: string, options?: Parameters<typeof request>[2]) => request('POST', path, options),
    request,
    /** A new visitor session: its id and token. */
    async newSession(details: { locale?: string; referer?: string } = {}) {
      const response = await request('POST', '/api/session', { json: details });
      if (response.status !== 201) throw new Error(`session creation failed: ${response.status}`);
      return { sessionId: response.body.session_id as string, token: response.body.access_token as string };
    },
  };
}
