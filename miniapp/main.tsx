import '@telegram-apps/telegram-ui/dist/styles.css';
import './styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { AppContainer, CannotStartInDevelopment, OutsideTelegram } from './containers/app-container.tsx';
import { startTelegram } from './hooks/telegram.ts';

/**
 * The agents' Mini App (`/miniapp/`), launched by Telegram with its launch parameters (initData, theme,
 * platform) in the URL fragment. In development outside Telegram, the environment is mocked first; that
 * code is not part of a production build.
 */
async function boot() {
  let devProblem: string | undefined;
  if (import.meta.env.DEV) {
    const { mockTelegramOutsideTelegram } = await import('./dev/mock-telegram.ts');
    devProblem = await mockTelegramOutsideTelegram();
  }
  const launch = devProblem ? undefined : startTelegram();
  createRoot(document.getElementById('root') as HTMLElement).render(
    <StrictMode>
      {launch ? (
        <AppContainer launch={launch} />
      ) : devProblem ? (
        <CannotStartInDevelopment problem={devProblem} />
      ) : (
        <OutsideTelegram />
      )}
    </StrictMode>,
  );
}

boot();
