import { launcherStrings, pickLanguage } from '../i18n/strings.ts';
import {
  type ChatToHost,
  DEFAULT_COLOR,
  type HostToChat,
  isProtocolMessage,
  PROTOCOL,
  safeColor,
} from './protocol.ts';

/**
 * The embed script: `<script src="https://HOST/widget.js" async></script>`, options as data-* attributes
 * (`data-color`, `data-position="left|right"`, `data-lang`). It draws the launcher in a shadow root
 * and, on first open, the chat in an iframe from the server's origin, so the host page's CSS and scripts
 * cannot reach the chat or the visitor's token. Host page API: `window.Switchboard.open() / close() /
 * toggle() / on('unread', fn)`, and the `switchboard:unread` event on `window`.
 */

type UnreadListener = (count: number) => void;
type SwitchboardApi = {
  open(): void;
  close(): void;
  toggle(): void;
  readonly isOpen: boolean;
  readonly unread: number;
  on(event: 'unread', listener: UnreadListener): () => void;
};

declare global {
  interface Window {
    Switchboard?: SwitchboardApi;
  }
}

const script = document.currentScript as HTMLScriptElement | null;
if (script && !window.Switchboard) window.Switchboard = install(script);

function install(script: HTMLScriptElement): SwitchboardApi {
  const serverOrigin = new URL(script.src).origin;
  const color = safeColor(script.dataset.color, DEFAULT_COLOR);
  const side = script.dataset.position === 'left' ? 'left' : 'right';
  const language = pickLanguage(script.dataset.lang, document.documentElement.lang, navigator.language);
  const text = launcherStrings[language];

  const host = document.createElement('div');
  host.setAttribute('data-switchboard', '');
  // The host page's stylesheets cannot restyle the element that holds the shadow root either.
  host.style.setProperty('all', 'initial', 'important');
  const root = host.attachShadow({ mode: 'open' });
  root.innerHTML = `<style>
:host{all:initial}
.launcher{position:fixed;bottom:20px;${side}:20px;z-index:2147483000;width:56px;height:56px;border:0;border-radius:50%;
background:${color};color:#fff;cursor:pointer;box-shadow:0 4px 16px rgba(0,0,0,.25);display:grid;place-items:center;padding:0}
.launcher:focus-visible{outline:3px solid ${color};outline-offset:3px}
.launcher svg{width:28px;height:28px;fill:currentColor}
.badge{position:absolute;top:-2px;right:-2px;min-width:20px;height:20px;padding:0 5px;box-sizing:border-box;border-radius:10px;
background:#dc2626;color:#fff;font:600 12px/20px system-ui,sans-serif;text-align:center}
.badge[hidden],.frame[hidden]{display:none}
.frame{position:fixed;bottom:88px;${side}:20px;z-index:2147483000;width:380px;height:min(600px,calc(100vh - 108px));border:0;
border-radius:16px;box-shadow:0 8px 32px rgba(0,0,0,.25);background:#fff;color-scheme:normal}
@media (max-width:480px){.frame{inset:0;width:100%;height:100%;border-radius:0}.open .launcher{display:none}}
</style><div class="wrap"><button class="launcher" type="button" aria-expanded="false"><svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z"/></svg><span class="badge" hidden></span></button></div>`;
  const wrap = root.querySelector('.wrap') as HTMLDivElement;
  const launcher = root.querySelector('.launcher') as HTMLButtonElement;
  const badge = root.querySelector('.badge') as HTMLSpanElement;

  let frame: HTMLIFrameElement | undefined;
  let chatReady = false;
  let isOpen = false;
  let unread = 0;
  const listeners = new Set<UnreadListener>();

  const post = (message: HostToChat) => {
    if (chatReady) frame?.contentWindow?.postMessage(message, serverOrigin);
  };
  const render = () => {
    launcher.setAttribute('aria-label', isOpen ? text.close : text.open);
    launcher.setAttribute('aria-expanded', String(isOpen));
    launcher.title = isOpen ? text.close : text.open;
    wrap.classList.toggle('open', isOpen);
    badge.hidden = unread === 0 || isOpen;
    badge.textContent = unread > 99 ? '99+' : String(unread);
    badge.setAttribute('aria-label', text.unread(unread));
    if (frame) frame.hidden = !isOpen;
  };

  const createFrame = () => {
    const url = new URL('/widget/', serverOrigin);
    url.searchParams.set('host', location.origin);
    url.searchParams.set('lang', language);
    url.searchParams.set('color', color);
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
    render();
    post({ protocol: PROTOCOL, type: 'visibility', open });
    if (open) frame.focus();
    else launcher.focus();
  };

  window.addEventListener('message', (event) => {
    if (event.origin !== serverOrigin || !frame || event.source !== frame.contentWindow) return;
    if (!isProtocolMessage<ChatToHost>(event.data)) return;
    const message = event.data;
    if (message.type === 'ready') {
      chatReady = true;
      post({ protocol: PROTOCOL, type: 'visibility', open: isOpen });
    } else if (message.type === 'close') {
      setOpen(false);
    } else if (message.type === 'unread' && Number.isInteger(message.count) && message.count !== unread) {
      unread = Math.max(0, message.count);
      render();
      for (const listener of listeners) listener(unread);
      window.dispatchEvent(new CustomEvent('switchboard:unread', { detail: { count: unread } }));
    }
  });
  launcher.addEventListener('click', () => setOpen(!isOpen));

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
  };
}
