export type SecurityHeadersOptions = {
  https: boolean;
  /** Origins of the sites allowed to embed the chat (`WIDGET_ORIGINS`); `*` allows any. */
  widgetOrigins: string[];
};

/** Telegram's web clients show Mini Apps in an iframe; the apps use a webview instead. */
const TELEGRAM_WEB = 'https://web.telegram.org https://*.telegram.org';

/**
 * Security headers by kind of response. The JSON API allows nothing to load or frame it. The chat page
 * (`/widget/`) may be framed only by the widget's origins, the Mini App only by Telegram. Pages load
 * scripts only from this origin and never inline. Returns the headers for a request path.
 */
export function securityHeaders({ https, widgetOrigins }: SecurityHeadersOptions) {
  // 'self': the demo page at `/` embeds the chat too.
  const chatAncestors = widgetOrigins.includes('*') ? '*' : ["'self'", ...widgetOrigins].join(' ');
  const page = (frameAncestors: string) =>
    [
      "default-src 'self'",
      "img-src 'self' blob: data:",
      // Voice notes and video notes play from the object URLs their authorised downloads become.
      "media-src 'self' blob:",
      "style-src 'self' 'unsafe-inline'",
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'none'",
      `frame-ancestors ${frameAncestors}`,
    ].join('; ');
  const headersOf = (kind: 'api' | 'chat' | 'miniapp' | 'site', policy: string) => {
    const headers: Record<string, string> = {
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': kind === 'site' ? 'strict-origin-when-cross-origin' : 'no-referrer',
      'Content-Security-Policy': policy,
    };
    // frame-ancestors decides for the framed pages; X-Frame-Options cannot name several origins.
    if (kind === 'api' || kind === 'site')
      headers['X-Frame-Options'] = kind === 'api' ? 'DENY' : 'SAMEORIGIN';
    if (kind !== 'chat' && kind !== 'miniapp') headers['Cross-Origin-Opener-Policy'] = 'same-origin';
    if (https) headers['Strict-Transport-Security'] = 'max-age=31536000; includeSubDomains';
    return Object.freeze(headers);
  };
  // Computed once: every response of a kind shares its object.
  const byKind = {
    api: headersOf('api', "default-src 'none'; frame-ancestors 'none'"),
    chat: headersOf('chat', page(chatAncestors)),
    miniapp: headersOf('miniapp', page(`'self' ${TELEGRAM_WEB}`)),
    site: headersOf('site', page("'self'")),
  };

  return (path: string): Readonly<Record<string, string>> =>
    path.startsWith('/api/') || path === '/healthz'
      ? byKind.api
      : path.startsWith('/widget/')
        ? byKind.chat
        : path.startsWith('/miniapp/')
          ? byKind.miniapp
          : byKind.site;
}
