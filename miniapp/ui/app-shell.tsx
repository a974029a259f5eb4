import { AppRoot, Tabbar } from '@telegram-apps/telegram-ui';
import type { ReactNode } from 'react';
import { QueueIcon, StatsIcon } from './icons.tsx';

export type AppShellProps = {
  appearance: 'light' | 'dark';
  platform: 'base' | 'ios';
  /** The root tabs, shown on root screens only. */
  tabs?: { current: 'queue' | 'today'; onChange: (tab: 'queue' | 'today') => void };
  children: ReactNode;
};

/** The app's frame: telegram-ui's root (themed by Telegram's CSS variables) and the bottom tab bar. */
export function AppShell({ appearance, platform, tabs, children }: AppShellProps) {
  return (
    <AppRoot appearance={appearance} platform={platform} className="sb-app">
      <main className={tabs ? 'sb-main sb-main--tabs' : 'sb-main'}>{children}</main>
      {tabs && (
        <Tabbar className="sb-tabbar">
          <Tabbar.Item
            text="Queue"
            selected={tabs.current === 'queue'}
            onClick={() => tabs.onChange('queue')}
          >
            <QueueIcon />
          </Tabbar.Item>
          <Tabbar.Item
            text="Today"
            selected={tabs.current === 'today'}
            onClick={() => tabs.onChange('today')}
          >
            <StatsIcon />
          </Tabbar.Item>
        </Tabbar>
      )}
    </AppRoot>
  );
}
