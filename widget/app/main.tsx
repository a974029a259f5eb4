import { useMemo } from 'react';
import { createRoot } from 'react-dom/client';
import { chatStrings, pickLanguage } from '../i18n/strings.ts';
import { DEFAULT_COLOR, safeColor, safeTheme } from '../loader/protocol.ts';
import { accentPalette } from '../theme/accent-palette.ts';
import { createVisitorApi, type VisitorApi } from './api/visitor-api.ts';
import { ChatContainer } from './containers/chat-container.tsx';
import { type HostPageChannel, listenToHostPage, useHostPage } from './hooks/use-host-bridge.ts';
import { browserSessionStore, type SessionStore, useSessionSync } from './hooks/use-visitor-session.ts';
import './styles.css';

/** The chat page (`/widget/`), in the loader's iframe or opened directly. Query: host, lang, color, theme. */
const params = new URLSearchParams(location.search);
const language = pickLanguage(params.get('lang'), navigator.language);
const hostOrigin = parseOrigin(params.get('host'));
const root = document.documentElement;
root.lang = language;
root.dataset.theme = safeTheme(params.get('theme'));
for (const [name, value] of Object.entries(accentPalette(safeColor(params.get('color'), DEFAULT_COLOR)))) {
  root.style.setProperty(name, value);
}

// Heard from the start, before the chat's first render, so the loader's first page is never missed.
const hostPage = listenToHostPage(hostOrigin);

/**
 * The chat, with the host page's context and identity kept in sync beside it. A new session carries the
 * page it starts on; when the identified visitor's session replaces this one, the chat starts again on it.
 */
function Chat({ api, store, channel }: { api: VisitorApi; store: SessionStore; channel: HostPageChannel }) {
  const page = useHostPage(channel);
  const { generation } = useSessionSync(api, store, page);
  const chatApi = useMemo<VisitorApi>(
    () => ({
      ...api,
      createSession: (details) =>
        api.createSession({ ...details, context: channel.current().context ?? undefined }),
    }),
    [api, channel],
  );
  return (
    <ChatContainer
      key={generation}
      api={chatApi}
      store={store}
      strings={chatStrings[language]}
      language={language}
      hostOrigin={hostOrigin}
    />
  );
}

const store = browserSessionStore();
// The host site's user logged out before the chat loaded (`Switchboard.logout()`): start anonymous.
if (params.get('logout') === '1') store.save(null);

createRoot(document.getElementById('root') as HTMLElement).render(
  <Chat api={createVisitorApi()} store={store} channel={hostPage} />,
);

function parseOrigin(value: string | null) {
  try {
    return value ? new URL(value).origin : null;
  } catch {
    return null;
  }
}
