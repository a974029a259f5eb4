/**
 * Messages between the loader on the host page and the chat in its iframe. Both sides check the other's
 * origin (pinned: the server's origin, and the host origin the loader named) and the sending window.
 */
export const PROTOCOL = 'switchboard-widget';

export type ChatToHost =
  | { protocol: typeof PROTOCOL; type: 'ready' }
  | { protocol: typeof PROTOCOL; type: 'close' }
  | { protocol: typeof PROTOCOL; type: 'unread'; count: number };

/** The host page as the loader sees it: where the visitor is now, and where their visit began. */
export type HostPage = {
  url: string;
  title: string;
  /** The visit's referrer (document.referrer of its first page). */
  referrer: string;
  /** The first page of the visit (its UTM parameters count). */
  landing: string;
};

/** What the host site passes to `Switchboard.identify()`: `hash` = hex HMAC-SHA256 of `id` (IDENTITY_SECRET). */
export type HostIdentity = { id: string; name?: string; email?: string; hash: string };

export type HostToChat =
  | { protocol: typeof PROTOCOL; type: 'visibility'; open: boolean }
  | { protocol: typeof PROTOCOL; type: 'page'; page: HostPage }
  | { protocol: typeof PROTOCOL; type: 'identify'; identity: HostIdentity }
  /** The host site's user logged out: the chat forgets the visitor and starts a new, anonymous one. */
  | { protocol: typeof PROTOCOL; type: 'logout' };

export function isProtocolMessage<T extends { type: string }>(data: unknown): data is T {
  return (
    typeof data === 'object' &&
    data !== null &&
    (data as { protocol?: unknown }).protocol === PROTOCOL &&
    typeof (data as { type?: unknown }).type === 'string'
  );
}

/** A colour that is safe to put into CSS: #rgb, #rrggbb (with optional alpha) or a plain colour name. */
export function safeColor(value: string | null | undefined, fallback: string): string {
  return value && /^(#[0-9a-f]{3,8}|[a-z]{3,20})$/i.test(value) ? value : fallback;
}

export const DEFAULT_COLOR = '#2563eb';

export type Theme = 'light' | 'dark' | 'auto';

/** `data-theme`: light (the default, whatever the visitor's OS prefers), dark, or auto (follows the OS). */
export function safeTheme(value: string | null | undefined): Theme {
  return value === 'dark' || value === 'auto' ? value : 'light';
}
