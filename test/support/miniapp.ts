import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { signInitData, type TelegramUser } from './init-data.ts';

/** The built Mini App (`npm run build`), which the browser tests open. */
export const MINIAPP_BUILT = resolve(import.meta.dirname, '../../dist/public/miniapp/index.html');

export function requireBuiltMiniApp() {
  if (!existsSync(MINIAPP_BUILT)) throw new Error('The Mini App is not built: run `npm run build` first.');
}

/** Telegram's light theme, as its clients send it in tgWebAppThemeParams. */
export const LIGHT_THEME = {
  bg_color: '#ffffff',
  secondary_bg_color: '#f4f4f5',
  section_bg_color: '#ffffff',
  text_color: '#000000',
  hint_color: '#707579',
  link_color: '#3390ec',
  button_color: '#3390ec',
  button_text_color: '#ffffff',
  header_bg_color: '#ffffff',
  accent_text_color: '#3390ec',
  section_header_text_color: '#3390ec',
  subtitle_text_color: '#707579',
  destructive_text_color: '#e53935',
};

/** Telegram Desktop's night theme, as it sends it in tgWebAppThemeParams. */
export const DARK_THEME = {
  bg_color: '#17212b',
  secondary_bg_color: '#232e3c',
  section_bg_color: '#17212b',
  text_color: '#f5f5f5',
  hint_color: '#708499',
  link_color: '#6ab3f3',
  button_color: '#5288c1',
  button_text_color: '#ffffff',
  header_bg_color: '#17212b',
  accent_text_color: '#6ab2f2',
  section_header_text_color: '#6ab3f3',
  subtitle_text_color: '#708499',
  destructive_text_color: '#ec3942',
};

/** The Mini App's URL as Telegram opens it: launch data (signed with the bot token) in the hash. */
export function miniAppLaunchUrl(
  appUrl: string,
  botToken: string,
  user: TelegramUser,
  { theme = LIGHT_THEME, ageSeconds = 0 }: { theme?: object; ageSeconds?: number } = {},
) {
  const launch = new URLSearchParams({
    tgWebAppData: signInitData(botToken, user, { ageSeconds }),
    tgWebAppVersion: '8.0',
    tgWebAppPlatform: 'tdesktop',
    tgWebAppThemeParams: JSON.stringify(theme),
  });
  return `${appUrl}/miniapp/#${launch}`;
}

/**
 * The Mini App opened as `user` in a phone-sized page, with Telegram Desktop's bridge stubbed: the app's
 * calls to Telegram (back button, haptics) go nowhere.
 */
export async function openMiniAppAs(
  browser: Browser,
  appUrl: string,
  botToken: string,
  user: TelegramUser,
): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 420, height: 860 } });
  await context.addInitScript(() => {
    (window as unknown as { TelegramWebviewProxy: object }).TelegramWebviewProxy = { postEvent: () => {} };
  });
  const page = await context.newPage();
  await page.goto(miniAppLaunchUrl(appUrl, botToken, user));
  return page;
}
