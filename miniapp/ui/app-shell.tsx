import { AppRoot, Tabbar } from '@telegram-apps/telegram-ui';
import type { ReactNode } from 'react';
import { QueueIcon, StatsIcon } from './icons.tsx';
import { ReportsIcon, SearchIcon } from './insights-icons.tsx';
import { TeamIcon } from './team-icon.tsx';

export type AppShellProps = {
  appearance: 'light' | 'dark';
  platform: 'base' | 'ios';
  /** The root tabs, shown on root screens only. */
  tabs?: {
    current: 'queue' | 'today' | 'team' | 'search' | 'reports';
    onChange: (tab: 'queue' | 'today' | 'team' | 'search' | 'reports') => void;
  };
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
          <Tabbar.Item
            text="Search"
            selected={tabs.current === 'search'}
            onClick={() => tabs.onChange('search')}
          >
            <SearchIcon />
          </Tabbar.Item>
          <Tabbar.Item
            text="Reports"
            selected={tabs.current === 'reports'}
            onClick={() => tabs.onChange('reports')}
          >
            <ReportsIcon />
          </Tabbar.Item>
          <Tabbar.Item text="Team" selected={tabs.current === 'team'} onClick={() => tabs.onChange('team')}>
            <TeamIcon />
          </Tabbar.Item>
        </Tabbar>
      )}
    </AppRoot>
  );
}
