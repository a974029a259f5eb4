import {
  backButton,
  hapticFeedback,
  init,
  miniApp,
  openTelegramLink,
  retrieveLaunchParams,
  retrieveRawInitData,
  themeParams,
  useSignal,
  viewport,
} from '@telegram-apps/sdk-react';
import { useEffect, useRef } from 'react';

/** What Telegram launched the app with. */
export type TelegramLaunch = {
  /** The raw, signed initData: the agent API's credential. */
  initData: string;
  platform: string;
  firstName: string | null;
};

/**
 * Starts the Telegram SDK: theme parameters as `--tg-theme-*` CSS variables (telegram-ui reads them), the
 * back button, the full height. Null outside Telegram (no launch parameters).
 */
export function startTelegram(): TelegramLaunch | null {
  let initData: string | undefined;
  let platform = 'unknown';
  let firstName: string | null = null;
  try {
    initData = retrieveRawInitData();
    const launch = retrieveLaunchParams();
    platform = launch.tgWebAppPlatform;
    firstName = launch.tgWebAppData?.user?.first_name ?? null;
  } catch {
    return null;
  }
  if (!initData) return null;
  try {
    init();
    themeParams.mountSync.ifAvailable();
    themeParams.bindCssVars.ifAvailable();
    miniApp.mountSync.ifAvailable();
    miniApp.bindCssVars.ifAvailable();
    backButton.mount.ifAvailable();
    viewport.expand.ifAvailable();
    miniApp.ready.ifAvailable();
  } catch (error) {
    // An odd client must not keep agents from the queue: the app works without these niceties.
    console.warn('Telegram SDK:', error);
  }
  return { initData, platform, firstName };
}

/** Light or dark, following Telegram's theme (it changes live when the user switches). */
export function useTelegramAppearance(): 'light' | 'dark' {
  const dark = useSignal(themeParams.isDark);
  return dark ? 'dark' : 'light';
}

/** Telegram's native back button: shown while `onBack` is given, calling it when pressed. */
export function useBackButton(onBack: (() => void) | null) {
  const handler = useRef(onBack);
  handler.current = onBack;
  const visible = onBack !== null;
  useEffect(() => {
    if (!visible) {
      backButton.hide.ifAvailable();
      return;
    }
    backButton.show.ifAvailable();
    const [attached, off] = backButton.onClick.ifAvailable(() => handler.current?.());
    return () => {
      if (attached) off();
    };
  }, [visible]);
}

/** Whether Telegram shows a back button (else the app draws its own). */
export function hasNativeBackButton(): boolean {
  return backButton.show.isAvailable();
}

/** Haptic feedback, where the client supports it (a no-op elsewhere). */
export const haptics = {
  success: () => void hapticFeedback.notificationOccurred.ifAvailable('success'),
  error: () => void hapticFeedback.notificationOccurred.ifAvailable('error'),
  warning: () => void hapticFeedback.notificationOccurred.ifAvailable('warning'),
  selection: () => void hapticFeedback.selectionChanged.ifAvailable(),
  tap: () => void hapticFeedback.impactOccurred.ifAvailable('light'),
};

/** Opens the bot's chat in Telegram (the Mini App stays available from the menu button). */
export function openBotChat(botUsername: string) {
  const url = `https://t.me/${encodeURIComponent(botUsername)}`;
  const [opened] = openTelegramLink.ifAvailable(url);
  if (!opened) window.open(url, '_blank', 'noopener');
}
