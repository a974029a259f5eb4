import { launcherStrings, pickLanguage } from '../i18n/strings.ts';
import { resolveColor, textOn, toHex } from '../theme/contrast.ts';
import {
  type ChatToHost,
  DEFAULT_COLOR,
  type HostIdentity,
  type HostPage,
  type HostToChat,
  isProtocolMessage,
  PROTOCOL,
  safeColor,
  safeTheme,
} from './protocol.ts';

/**
 * The embed script: `<script src="https://HOST/widget.js" async></script>`, options as data-* attributes
 * (`data-color`, `data-position="left|right"`, `data-lang`, `data-theme="light|dark|auto"`,
 * `data-greeting` for a small teaser bubble over the launcher). It draws the launcher in a shadow root
 * and, on first open, the chat in an iframe from the server's origin, so the host page's CSS and scripts
 * cannot reach the chat or the visitor's token. Host page API: `window.Switchboard.open() / close() /
 * toggle() / on('unread', fn) / identify({ id, name, email, hash })`, and the `switchboard:unread` event on
 * `window`. The chat hears where the visitor is (URL and title, also after SPA navigation; the visit's
 * referrer and landing page). While the tab is hidden, a new agent message shows in the page's title
 * ("(1) New message — …") and, with `data-sound="on"`, beeps.
 */

type UnreadListener = (count: number) => void;
type SwitchboardApi = {
  open(): void;
  close(): void;
  toggle(): void;
  readonly isOpen: boolean;
  readonly unread: number;
  on(event: 'unread', listener: UnreadListener): () => void;
  identify(identity: HostIdentity): void;
  logout(): void;
};

declare global {
  interface Window {
    Switchboard?: SwitchboardApi;
  }
}

const TEASER_SEEN = 'switchboard:teaser-seen';
/** `Switchboard.logout()` came while the chat was not loaded: the chat forgets the visitor when it loads. */
const LOGOUT_PENDING = 'switchboard:logout-pending';
const VISIT = 'switchboard:visit';

function storedFlag(key: string) {
  try {
    return localStorage.getItem(key) === '1';
  } catch {
    return false;
  }
}

/** The visit's first page and referrer, kept for the tab (sessionStorage) so later pages still know them. */
function visitStart(): [landing: string, referrer: string] {
  try {
    const stored = JSON.parse(sessionStorage.getItem(VISIT) as string);
    if (Array.isArray(stored)) return stored as [string, string];
  } catch {}
  const start: [string, string] = [location.href, document.referrer];
  try {
    sessionStorage.setItem(VISIT, JSON.stringify(start));
  } catch {}
  return start;
}

/** A short beep (WebAudio, no file): a new message while the tab is hidden, with `data-sound="on"`. */
function beep() {
  try {
    const audio = new AudioContext();
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.value = 880;
    gain.gain.value = 0.1;
    tone.connect(gain).connect(audio.destination);
    tone.onended = () => audio.close();
    tone.start();
    tone.stop(audio.currentTime + 0.15);
  } catch {}
}

function storeFlag(key: string, on = true) {
  try {
    if (on) localStorage.setItem(key, '1');
    else localStorage.removeItem(key);
  } catch {
    // storage blocked: the teaser simply shows again on the next page
  }
}

const script = document.currentScript as HTMLScriptElement | null;
if (script && !window.Switchboard) window.Switchboard = install(script);

function install(script: HTMLScriptElement): SwitchboardApi {
  const serverOrigin = new URL(script.src).origin;
  const color = safeColor(script.dataset.color, DEFAULT_COLOR);
  const accent = resolveColor(color);
  const onAccent = accent ? toHex(textOn(accent)) : '#fff';
  const side = script.dataset.position === 'left' ? 'left' : 'right';
  const theme = safeTheme(script.dataset.theme);
  const greeting = script.dataset.greeting?.trim().slice(0, 200);
  const language = pickLanguage(script.dataset.lang, document.documentElement.lang, navigator.language);
  const text = launcherStrings[language];
  const sound = script.dataset.sound === 'on';
  const [landing, referrer] = visitStart();

  const host = document.createElement('div');
  host.setAttribute('data-switchboard', '');
  // The host page's stylesheets cannot restyle the element that holds the shadow root either.
  host.style.setProperty('all', 'initial', 'important');
  const root = host.attachShadow({ mode: 'open' });
  const light = '.frame{background:#fff}.teaser{background:#fff;color:#111827}';
  const dark = '.frame{background:#111827}.teaser{background:#1f2937;color:#f9fafb}';
  root.innerHTML = `<style>
:host{all:initial}
.launcher{position:fixed;bottom:20px;${side}:20px;z-index:2147483000;width:56px;height:56px;border:0;border-radius:50%;
background:${color};color:${onAccent};cursor:pointer;box-shadow:0 4px 16px rgba(0,0,0,.25);display:grid;place-items:center;padding:0}
.launcher:focus-visible{outline:3px solid ${color};outline-offset:3px}
.launcher svg{width:28px;height:28px;fill:currentColor}
.launcher .x{width:24px;height:24px;fill:none;stroke:currentColor;stroke-width:2.5;stroke-linecap:round}
.open .chat-icon,.x{display:none}.open .x{display:block}
.badge{position:absolute;top:-2px;right:-2px;min-width:20px;height:20px;padding:0 5px;box-sizing:border-box;border-radius:10px;
background:#dc2626;color:#fff;font:600 12px/20px system-ui,sans-serif;text-align:center}
.badge[hidden],.frame[hidden],.teaser[hidden]{display:none}
.frame{position:fixed;bottom:88px;${side}:20px;z-index:2147483000;width:380px;height:min(600px,calc(100vh - 108px));border:0;
border-radius:16px;box-shadow:0 8px 32px rgba(0,0,0,.25);color-scheme:normal}
.teaser{position:fixed;bottom:88px;${side}:20px;z-index:2147483000;display:flex;align-items:flex-start;max-width:min(280px,calc(100vw - 40px));
border-radius:14px;box-shadow:0 6px 24px rgba(0,0,0,.2);font:14px/1.4 system-ui,sans-serif}
.teaser button{border:0;background:none;color:inherit;font:inherit;cursor:pointer}
.teaser-text{padding:12px 4px 12px 14px;text-align:left}
.teaser-close{flex:none;width:32px;height:32px;font-size:18px;opacity:.7}
.teaser button:focus-visible{outline:2px solid ${color};outline-offset:-2px;border-radius:10px}
${theme === 'dark' ? dark : light}${theme === 'auto' ? `@media (prefers-color-scheme:dark){${dark}}` : ''}
@media (max-width:480px){.frame{inset:0;width:100%;height:100%;border-radius:0}.open .launcher{display:none}}
</style><div class="wrap"><div class="teaser" hidden><button class="teaser-text" type="button"></button><button class="teaser-close" type="button">×</button></div><button class="launcher" type="button" aria-expanded="false"><svg class="chat-icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z"/></svg><svg class="x" viewBox="0 0 24 24" aria-hidden="true"><path d="M6 6l12 12M18 6L6 18"/></svg><span class="badge" hidden></span></button></div>`;
  const wrap = root.querySelector('.wrap') as HTMLDivElement;
  const launcher = root.querySelector('.launcher') as HTMLButtonElement;
  const badge = root.querySelector('.badge') as HTMLSpanElement;
  const teaser = root.querySelector('.teaser') as HTMLDivElement;
  const teaserText = root.querySelector('.teaser-text') as HTMLButtonElement;
  const teaserClose = root.querySelector('.teaser-close') as HTMLButtonElement;
  teaserText.textContent = greeting ?? '';
  teaserClose.setAttribute('aria-label', text.dismiss);
  teaserClose.title = text.dismiss;
  // Shown until the visitor opens the chat or dismisses it, then never again (on this site).
  let teaserWanted = Boolean(greeting) && !storedFlag(TEASER_SEEN);
  const dismissTeaser = () => {
    teaserWanted = false;
    storeFlag(TEASER_SEEN);
    render();
  };

  let frame: HTMLIFrameElement | undefined;
  let chatReady = false;
  let isOpen = false;
  let unread = 0;
  const listeners = new Set<UnreadListener>();
  let identity: HostIdentity | undefined;
  /** The page's own title while the unread notice stands in for it (the tab is hidden). */
  let pageTitle: string | undefined;
  let shownTitle = '';
  let sentPage = '';

  const post = (message: HostToChat) => {
    if (chatReady) frame?.contentWindow?.postMessage(message, serverOrigin);
  };
  const hidden = () => document.visibilityState === 'hidden';
  // A message that comes while the tab is hidden is unread even with the chat open.
  const postVisibility = () => post({ protocol: PROTOCOL, type: 'visibility', open: isOpen && !hidden() });
  const sendPage = () => {
    const page: HostPage = { url: location.href, title: pageTitle ?? document.title, referrer, landing };
    const key = JSON.stringify(page);
    if (chatReady && key !== sentPage) {
      sentPage = key;
      post({ protocol: PROTOCOL, type: 'page', page });
    }
  };
  // SPA navigation: pushState / replaceState / back and forward / hash links. Titles often change just
  // after the URL, so the page is sent again a moment later (unchanged pages are not sent twice).
  const navigated = () => {
    sendPage();
    setTimeout(sendPage, 500);
  };
  for (const name of ['pushState', 'replaceState'] as const) {
    const original = history[name];
    history[name] = function (this: History, ...args: Parameters<History['pushState']>) {
      original.apply(this, args);
      navigated();
    };
  }
  window.addEventListener('popstate', navigated);
  window.addEventListener('hashchange', navigated);
  const restoreTitle = () => {
    if (pageTitle !== undefined && document.title === shownTitle) document.title = pageTitle;
    pageTitle = undefined;
  };
  const notifyUnread = (grew: boolean) => {
    if (!hidden() || unread === 0) return restoreTitle();
    pageTitle ??= document.title;
    shownTitle = document.title = `(${unread}) ${text.newMessage} — ${pageTitle}`;
    if (grew && sound) beep();
  };
  document.addEventListener('visibilitychange', () => {
    if (!hidden()) restoreTitle();
    postVisibility();
  });
  const render = () => {
    launcher.setAttribute('aria-label', isOpen ? text.close : text.open);
    launcher.setAttribute('aria-expanded', String(isOpen));
    launcher.title = isOpen ? text.close : text.open;
    wrap.classList.toggle('open', isOpen);
    badge.hidden = unread === 0 || isOpen;
    badge.textContent = unread > 99 ? '99+' : String(unread);
    badge.setAttribute('aria-label', text.unread(unread));
    teaser.hidden = !teaserWanted || isOpen;
    if (frame) frame.hidden = !isOpen;
  };

  const createFrame = () => {
    const url = new URL('/widget/', serverOrigin);
    url.searchParams.set('host', location.origin);
    url.searchParams.set('lang', language);
    url.searchParams.set('color', color);
    url.searchParams.set('theme', theme);
    // A logout before the chat loaded (on this page or an earlier one): it starts without the old session.
    if (storedFlag(LOGOUT_PENDING)) url.searchParams.set('logout', '1');
    const created = document.createElement('iframe');
    created.className = 'frame';
    created.src = url.href;
    created.title = text.frame;
    created.setAttribute('allow', 'clipboard-write');
    wrap.append(created);
    return created;
  };

  const setOpen = (open: boolean) => {
    if (open === isOpen) return;
    isOpen = open;
    frame ??= createFrame();
    if (open && teaserWanted) dismissTeaser();
    fitToViewport();
    render();
    postVisibility();
    if (open) frame.focus();
    else launcher.focus();
  };

  window.addEventListener('message', (event) => {
    if (event.origin !== serverOrigin || !frame || event.source !== frame.contentWindow) return;
    if (!isProtocolMessage<ChatToHost>(event.data)) return;
    const message = event.data;
    if (message.type === 'ready') {
      chatReady = true;
      storeFlag(LOGOUT_PENDING, false);
      sentPage = '';
      postVisibility();
      sendPage();
      if (identity) post({ protocol: PROTOCOL, type: 'identify', identity });
    } else if (message.type === 'close') {
      setOpen(false);
    } else if (message.type === 'unread' && Number.isInteger(message.count) && message.count !== unread) {
      const grew = message.count > unread;
      unread = Math.max(0, message.count);
      render();
      notifyUnread(grew);
      for (const listener of listeners) listener(unread);
      window.dispatchEvent(new CustomEvent('switchboard:unread', { detail: { count: unread } }));
    }
  });
  launcher.addEventListener('click', () => setOpen(!isOpen));
  teaserText.addEventListener('click', () => setOpen(true));
  teaserClose.addEventListener('click', dismissTeaser);

  // On a phone the chat fills the visible part of the screen: when the on-screen keyboard opens it
  // shrinks with the visual viewport, so the message box and the newest message stay in view.
  const viewport = window.visualViewport;
  const phone = window.matchMedia('(max-width:480px)');
  function fitToViewport() {
    if (!frame) return;
    const fit = phone.matches && viewport;
    frame.style.height = fit ? `${viewport.height}px` : '';
    frame.style.top = fit ? `${viewport.offsetTop}px` : '';
  }
  viewport?.addEventListener('resize', fitToViewport);
  viewport?.addEventListener('scroll', fitToViewport);

  render();
  const mount = () => document.body.append(host);
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);

  return {
    open: () => setOpen(true),
    close: () => setOpen(false),
    toggle: () => setOpen(!isOpen),
    get isOpen() {
      return isOpen;
    },
    get unread() {
      return unread;
    },
    on(event, listener) {
      if (event === 'unread') listeners.add(listener);
      return () => listeners.delete(listener);
    },
    identify({ id, name, email, hash }) {
      identity = { id: String(id), name, email, hash: String(hash) };
      post({ protocol: PROTOCOL, type: 'identify', identity });
    },
    logout() {
      identity = undefined;
      unread = 0;
      render();
      if (chatReady) post({ protocol: PROTOCOL, type: 'logout' });
      else storeFlag(LOGOUT_PENDING);
    },
  };
}
