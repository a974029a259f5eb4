import { createRoot } from 'react-dom/client';
import { chatStrings, pickLanguage } from '../i18n/strings.ts';
import { DEFAULT_COLOR, safeColor, safeTheme } from '../loader/protocol.ts';
import { accentPalette } from '../theme/accent-palette.ts';
import { createVisitorApi } from './api/visitor-api.ts';
import { ChatContainer } from './containers/chat-container.tsx';
import { browserSessionStore } from './hooks/use-visitor-session.ts';
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

createRoot(document.getElementById('root') as HTMLElement).render(
  <ChatContainer
    api={createVisitorApi()}
    store={browserSessionStore()}
    strings={chatStrings[language]}
    language={language}
    hostOrigin={hostOrigin}
  />,
);

function parseOrigin(value: string | null) {
  try {
    return value ? new URL(value).origin : null;
  } catch {
    return null;
  }
}
