import type { AppMiddleware } from '../context.ts';

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
 * scripts only from this origin and never inline.
 */
export function securityHeadersMiddleware({ https, widgetOrigins }: SecurityHeadersOptions): AppMiddleware {
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
  const policies = {
    api: "default-src 'none'; frame-ancestors 'none'",
    chat: page(chatAncestors),
    miniapp: page(`'self' ${TELEGRAM_WEB}`),
    site: page("'self'"),
  };

  return async (ctx, next) => {
    const kind =
      ctx.path.startsWith('/api/') || ctx.path === '/healthz'
        ? 'api'
        : ctx.path.startsWith('/widget/')
          ? 'chat'
          : ctx.path.startsWith('/miniapp/')
            ? 'miniapp'
            : 'site';
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', kind === 'site' ? 'strict-origin-when-cross-origin' : 'no-referrer');
    ctx.set('Content-Security-Policy', policies[kind]);
    // frame-ancestors decides for the framed pages; X-Frame-Options cannot name several origins.
    if (kind === 'api' || kind === 'site') ctx.set('X-Frame-Options', kind === 'api' ? 'DENY' : 'SAMEORIGIN');
    if (kind !== 'chat' && kind !== 'miniapp') ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
    if (https) ctx.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    await next();
  };
}
