import { isTMA, mockTelegramEnv } from '@telegram-apps/sdk-react';

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
 */
export async function mockTelegramOutsideTelegram() {
  if (isTMA()) return;
  const page = new URLSearchParams(location.search);
  const query = new URLSearchParams();
  for (const name of ['user_id', 'first_name', 'username']) {
    const value = page.get(name);
    if (value) query.set(name, value);
  }
  const response = await fetch(`/__dev/init-data?${query}`);
  const body = (await response.json()) as { init_data?: string; error?: string };
  if (!body.init_data) {
    console.error(`[dev] no initData: ${body.error ?? response.status}`);
    return;
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
}
