import { isTMA, mockTelegramEnv } from '@telegram-apps/sdk-react';

/** Served by dev/init-data-plugin.ts (not imported from there: it is Node code). */
const DEV_INIT_DATA_PATH = '/__dev/init-data';

/** Telegram's default light theme, as a client sends it in `tgWebAppThemeParams`. */
const DEV_THEME: Record<string, `#${string}`> = {
  bg_color: '#ffffff',
  text_color: '#000000',
  hint_color: '#707579',
  link_color: '#3390ec',
  button_color: '#3390ec',
  button_text_color: '#ffffff',
  secondary_bg_color: '#f4f4f5',
  header_bg_color: '#ffffff',
  accent_text_color: '#3390ec',
  section_bg_color: '#ffffff',
  section_header_text_color: '#3390ec',
  subtitle_text_color: '#707579',
  destructive_text_color: '#e53935',
};

/**
 * Development only (imported behind `import.meta.env.DEV`, so a production build drops it): outside
 * Telegram, fetch initData signed by the Vite dev server (dev/init-data-plugin.ts) and mock the launch
 * parameters and the Telegram bridge, logging the app's calls to Telegram in the console.
 *
 * Returns why the app cannot start, for the screen (undefined when it can, or inside Telegram): no bot
 * token or no agent id for the mock, or no Switchboard server behind the dev server's `/api` proxy.
 */
export async function mockTelegramOutsideTelegram(): Promise<string | undefined> {
  if (isTMA()) return undefined;
  const page = new URLSearchParams(location.search);
  const query = new URLSearchParams();
  for (const name of ['user_id', 'first_name', 'username']) {
    const value = page.get(name);
    if (value) query.set(name, value);
  }
  const response = await fetch(`${DEV_INIT_DATA_PATH}?${query}`);
  const body = (await response.json().catch(() => ({}))) as {
    init_data?: string;
    error?: string;
    api_target?: string;
  };
  if (!body.init_data) {
    const problem = body.error ?? `The dev server answered ${response.status} for ${DEV_INIT_DATA_PATH}.`;
    console.error(`[dev] no initData: ${problem}`);
    return problem;
  }
  const server = await serverProblem(body.api_target);
  if (server) {
    console.error(`[dev] ${server}`);
    return server;
  }
  mockTelegramEnv({
    launchParams: {
      tgWebAppData: body.init_data,
      tgWebAppThemeParams: DEV_THEME,
      tgWebAppVersion: '8.0',
      tgWebAppPlatform: 'tdesktop',
    },
    onEvent: (event) => console.debug('[dev] Telegram method', event),
  });
  console.info('[dev] Telegram environment mocked');
  return undefined;
}

/** Whether a Switchboard server answers behind the dev server's `/api` proxy (its public config route). */
async function serverProblem(apiTarget = 'the PORT in .env') {
  const advice =
    `No Switchboard server answers at ${apiTarget}, where the dev server sends /api: start it with ` +
    '`npm start` (with the same PORT and TELEGRAM_BOT_TOKEN), then reload.';
  try {
    const response = await fetch('/api/config');
    const body = (await response.json().catch(() => null)) as { categories?: unknown } | null;
    return response.ok && body?.categories ? undefined : advice;
  } catch {
    return advice;
  }
}
